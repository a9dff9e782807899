// Favorites, Search and Trash in the browser, checked against the server's state over the API.
// One library for the file; the tests run in order and say where one builds on another.
import { openAsBlob } from 'node:fs';
import type { MediaDetail, TrashList } from '@iclood/api-types';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ApiCallError,
  DESKTOP,
  PHONE,
  expectNoSeriousA11yViolations,
  makePhoto,
  makeVideo,
  screenshot,
  type Viewport,
  useHousehold,
} from './harness.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };
const DAY_MS = 24 * 60 * 60 * 1000;

// A and B are the search targets; C–F go to the trash; S comes from a Shortcut (the device filter).
const PHOTOS = {
  A: { name: 'IMG_A.JPG', takenAt: '2021:03:10 12:00:00', big: true },
  B: { name: 'IMG_B.JPG', takenAt: '2022:08:01 12:00:00', big: true },
  C: { name: 'IMG_C.JPG', takenAt: '2023:01:05 12:00:00', big: false },
  D: { name: 'IMG_D.JPG', takenAt: '2023:02:05 12:00:00', big: false },
  E: { name: 'IMG_E.JPG', takenAt: '2023:03:05 12:00:00', big: false },
  F: { name: 'IMG_F.JPG', takenAt: '2023:04:05 12:00:00', big: false },
} as const;
type Key = keyof typeof PHOTOS;
const VIDEO_NAME = 'CLIP_0001.MP4';
const SHORTCUT_PHOTO = 'IMG_S.JPG';

const ids = {} as Record<Key | 'video' | 'S', string>;

const household = useHousehold({ owner: OWNER });

beforeAll(async () => {
  let seed = 100;
  for (const [key, photo] of Object.entries(PHOTOS) as [Key, (typeof PHOTOS)[Key]][]) {
    const file = await makePhoto({
      takenAt: photo.takenAt,
      seed: (seed += 1),
      ...(photo.big ? {} : { width: 1200, height: 900 }),
    });
    ids[key] = (await household.owner.upload(file.path, photo.name)).id;
  }
  const video = await makeVideo({ seconds: 2, takenAt: '2023-09-09T10:00:00Z' });
  ids.video = (await household.owner.upload(video.path, VIDEO_NAME)).id;

  // A photo sent by an iOS Shortcut: its own device, for the device filter.
  const shortcut = await household.owner.json<{ token: string }>('POST', '/api/v1/devices', {
    name: 'Kitchen Shortcut',
    platform: 'shortcuts',
    scopes: ['media.upload'],
  });
  const sent = await makePhoto({ takenAt: '2020:06:01 09:00:00', seed: 999, width: 1200, height: 900 });
  const upload = await fetch(`${household.origin}/api/v1/media/upload?filename=${SHORTCUT_PHOTO}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${shortcut.token}`, 'content-type': 'image/jpeg' },
    body: await openAsBlob(sent.path),
  });
  expect(upload.status).toBe(201);
  ids.S = ((await upload.json()) as { data: { id: string } }).data.id;

  const album = await household.owner.json<{ id: string }>('POST', '/api/v1/albums', { name: 'Holiday' });
  await household.owner.json('POST', `/api/v1/albums/${album.id}/media`, { ids: [ids.B] });
  await household.owner.waitForThumbnails(Object.values(ids));
});

async function open(path: string, viewport: Viewport = DESKTOP, colorScheme: 'light' | 'dark' = 'light') {
  const signedIn = await household.signedInPage(OWNER, viewport, { colorScheme });
  await signedIn.page.goto(path);
  return signedIn;
}

/** The names of the items a grid shows (its tiles' accessible names without ", favourite"…). */
async function gridNames(page: Page, label: string): Promise<string[]> {
  const grid = page.getByRole('region', { name: label, exact: true });
  if ((await grid.count()) === 0) return [];
  const names = await grid
    .locator('a[href^="/photos/"]')
    .evaluateAll((links) => links.map((link) => link.getAttribute('aria-label') ?? ''));
  return names.map((name) => name.split(',')[0]!).sort();
}

const results = (page: Page) => gridNames(page, 'Search results');
const statusText = (page: Page) => page.getByRole('status').first().innerText();
const fieldValue = (page: Page, label: string) => page.getByLabel(label, { exact: true }).inputValue();

async function isTrashed(id: string): Promise<boolean> {
  const trash = await household.owner.json<TrashList>('GET', '/api/v1/trash?limit=500');
  return trash.items.some((item) => item.id === id);
}

async function isGoneForGood(id: string): Promise<boolean> {
  try {
    await household.owner.json<MediaDetail>('GET', `/api/v1/media/${id}`);
    return false;
  } catch (error) {
    if (error instanceof ApiCallError && error.status === 404) return true;
    throw error;
  }
}

describe('favorites', () => {
  it('is empty until a photo is favourited, then shows that photo and no other', async () => {
    const { page, context, errors } = await open('/favorites');
    await page.getByText('Tap the heart on a photo to add it here.').waitFor();
    await expectNoSeriousA11yViolations(page, 'favorites, empty');

    await household.owner.json('PATCH', `/api/v1/media/${ids.A}`, { favorite: true });
    await page.reload();
    await expect.poll(() => gridNames(page, 'Favourite photos and videos')).toEqual(['Photo IMG_A.JPG']);
    await page.getByRole('link', { name: 'Photo IMG_A.JPG, favourite' }).waitFor();
    expect(await page.getByText('Tap the heart on a photo to add it here.').count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'favorites');
    await screenshot(page, 'favorites-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('search', () => {
  it('shows a hint, not the whole library, when no filter is set', async () => {
    const { page, context, errors } = await open('/search');
    await page.getByRole('heading', { name: 'Find a photo' }).waitFor();
    expect(await page.getByRole('region', { name: 'Search results' }).count()).toBe(0);
    expect(await page.getByRole('search').count()).toBe(1);
    await expectNoSeriousA11yViolations(page, 'search, no filters');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('finds the photos of an album by the album’s name, and puts the text in the URL', async () => {
    const { page, context, errors } = await open('/search');
    await page.getByLabel('Name or album').fill('holiday');
    await page.waitForURL((url) => url.pathname === '/search' && url.searchParams.get('q') === 'holiday');
    await expect.poll(() => results(page)).toEqual(['Photo IMG_B.JPG']);
    await expect.poll(() => statusText(page)).toBe('1 result');
    await expectNoSeriousA11yViolations(page, 'search results');
    await screenshot(page, 'search-album-name-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('finds only videos with the type filter', async () => {
    const { page, context, errors } = await open('/search');
    await page.getByLabel('Type').selectOption({ label: 'Videos' });
    await page.waitForURL((url) => url.searchParams.get('type') === 'video');
    await expect.poll(() => results(page)).toEqual([`Video ${VIDEO_NAME}`]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('takes a range of plain dates, the end day included', async () => {
    const { page, context, errors } = await open('/search');
    await page.getByLabel('From', { exact: true }).fill('2021-03-01');
    await page.getByLabel('To', { exact: true }).fill('2021-03-31');
    await page.waitForURL(
      (url) => url.searchParams.get('from') === '2021-03-01' && url.searchParams.get('to') === '2021-03-31',
    );
    await expect.poll(() => results(page)).toEqual(['Photo IMG_A.JPG']);

    // IMG_A was taken at noon on the 10th: a range ending that day holds it.
    await page.getByLabel('From', { exact: true }).fill('2021-03-10');
    await page.getByLabel('To', { exact: true }).fill('2021-03-10');
    await page.waitForURL(
      (url) => url.searchParams.get('from') === '2021-03-10' && url.searchParams.get('to') === '2021-03-10',
    );
    await expect.poll(() => results(page)).toEqual(['Photo IMG_A.JPG']);
    // …and a range ending the day before does not.
    await page.getByLabel('From', { exact: true }).fill('2021-03-09');
    await page.getByLabel('To', { exact: true }).fill('2021-03-09');
    await page.waitForURL(
      (url) => url.searchParams.get('from') === '2021-03-09' && url.searchParams.get('to') === '2021-03-09',
    );
    await page.getByRole('heading', { name: 'No photos match' }).waitFor();
    expect(await results(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says in words when the start date is after the end date, and searches nothing', async () => {
    const { page, context, errors } = await open('/search?from=2021-04-01&to=2021-03-31');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('“From” is after “To”');
    expect(await page.getByRole('region', { name: 'Search results' }).count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'search, from after to');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('finds what one device sent with the device filter (filled from the devices list)', async () => {
    const { page, context, errors } = await open('/search');
    const device = page.getByLabel('Device');
    await device.locator('option', { hasText: 'Kitchen Shortcut' }).waitFor({ state: 'attached' });
    await device.selectOption({ label: 'Kitchen Shortcut' });
    await page.waitForURL((url) => url.searchParams.has('device'));
    await expect.poll(() => results(page)).toEqual([`Photo ${SHORTCUT_PHOTO}`]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keeps every filter in the URL: a reload brings back the fields and the same results', async () => {
    const { page, context, errors } = await open('/search');
    await page.getByLabel('Name or album').fill('IMG');
    await page.getByLabel('Type').selectOption({ label: 'Photos' });
    await page.getByLabel('From', { exact: true }).fill('2021-01-01');
    await page.getByLabel('To', { exact: true }).fill('2022-12-31');
    await page.waitForURL((url) => {
      const params = url.searchParams;
      return (
        params.get('q') === 'IMG' &&
        params.get('type') === 'photo' &&
        params.get('from') === '2021-01-01' &&
        params.get('to') === '2022-12-31'
      );
    });
    await expect.poll(() => results(page)).toEqual(['Photo IMG_A.JPG', 'Photo IMG_B.JPG']);

    await page.reload();
    await expect.poll(() => results(page)).toEqual(['Photo IMG_A.JPG', 'Photo IMG_B.JPG']);
    expect(await fieldValue(page, 'Name or album')).toBe('IMG');
    expect(await fieldValue(page, 'Type')).toBe('photo');
    expect(await fieldValue(page, 'From')).toBe('2021-01-01');
    expect(await fieldValue(page, 'To')).toBe('2022-12-31');
    expect(await statusText(page)).toBe('2 results');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('goes back and forward between two searches', async () => {
    const { page, context, errors } = await open('/search');
    const box = page.getByLabel('Name or album');
    await box.fill('holiday');
    await page.waitForURL((url) => url.searchParams.get('q') === 'holiday');
    await box.press('Enter');
    await expect.poll(() => results(page)).toEqual(['Photo IMG_B.JPG']);

    await box.fill('');
    await page.getByLabel('Type').selectOption({ label: 'Videos' });
    await page.waitForURL((url) => url.search === '?type=video');
    await expect.poll(() => results(page)).toEqual([`Video ${VIDEO_NAME}`]);

    await page.goBack();
    await page.waitForURL((url) => url.search === '?q=holiday');
    await expect.poll(() => results(page)).toEqual(['Photo IMG_B.JPG']);
    expect(await fieldValue(page, 'Name or album')).toBe('holiday');
    expect(await fieldValue(page, 'Type')).toBe('');

    await page.goForward();
    await page.waitForURL((url) => url.search === '?type=video');
    await expect.poll(() => results(page)).toEqual([`Video ${VIDEO_NAME}`]);
    expect(await fieldValue(page, 'Name or album')).toBe('');
    expect(await fieldValue(page, 'Type')).toBe('video');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works on a phone', async () => {
    const { page, context, errors } = await open('/search', PHONE, 'dark');
    await page.getByLabel('Name or album').fill('holiday');
    await expect.poll(() => results(page)).toEqual(['Photo IMG_B.JPG']);
    await expectNoSeriousA11yViolations(page, 'search results on a phone');
    await screenshot(page, 'search-phone-dark', { fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('trash', () => {
  const tile = (page: Page, key: Key) =>
    page.getByRole('checkbox', { name: new RegExp(`^Photo ${PHOTOS[key].name}`) });

  it('lists the trashed items with the days they have left', async () => {
    await household.owner.json('POST', '/api/v1/media/batch/delete', { ids: [ids.C, ids.D] });
    const trash = await household.owner.json<TrashList>('GET', '/api/v1/trash');
    const { page, context, errors } = await open('/trash');
    for (const key of ['C', 'D'] as const) {
      await tile(page, key).waitFor();
      const purgeAt = Date.parse(trash.items.find((item) => item.id === ids[key])!.purgeAt);
      const days = Math.floor((purgeAt - Date.now()) / DAY_MS);
      expect(await page.locator(`li[data-id="${ids[key]}"]`).innerText()).toContain(`${days} days left`);
    }
    expect(await page.getByRole('list', { name: 'Items in the trash' }).getByRole('listitem').count()).toBe(
      2,
    );
    await expectNoSeriousA11yViolations(page, 'trash');
    await screenshot(page, 'trash-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('restores the selected item to Photos', async () => {
    const { page, context, errors } = await open('/trash');
    await tile(page, 'C').check();
    await page.getByRole('button', { name: 'Restore' }).click();
    await page.getByRole('status').filter({ hasText: 'Restored 1' }).waitFor();
    await tile(page, 'C').waitFor({ state: 'detached' });
    expect(await isTrashed(ids.C)).toBe(false);
    expect((await household.owner.json<MediaDetail>('GET', `/api/v1/media/${ids.C}`)).trashedAt).toBeNull();
    expect(await isTrashed(ids.D)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('deletes the selected item forever after a confirmation naming the count', async () => {
    const { page, context, errors } = await open('/trash');
    await tile(page, 'D').check();
    await page.getByRole('button', { name: 'Delete forever' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete forever?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('1 item will be deleted for good; this cannot be undone.');
    await expectNoSeriousA11yViolations(page, 'trash, delete forever confirmation');
    await screenshot(page, 'trash-delete-confirm-desktop');
    await dialog.getByRole('button', { name: 'Delete forever' }).click();
    const outcome = page.getByRole('status').filter({ hasText: 'Deleted 1 for good' });
    await outcome.waitFor();
    expect(await outcome.innerText()).toMatch(/^Deleted 1 for good, freed \d+(\.\d)? (KB|MB)\.$/);
    expect(await isGoneForGood(ids.D)).toBe(true);
    await page.getByRole('heading', { name: 'Trash is empty' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('is checked for accessibility on a phone, in dark mode', async () => {
    await household.owner.json('POST', '/api/v1/media/batch/delete', { ids: [ids.E] });
    const { page, context, errors } = await open('/trash', PHONE, 'dark');
    await tile(page, 'E').waitFor();
    await expectNoSeriousA11yViolations(page, 'trash on a phone');
    await screenshot(page, 'trash-phone-dark', { fullPage: true });
    for (const path of ['/favorites', '/search?q=holiday']) {
      await page.goto(path);
      await page.locator('a[href^="/photos/"]').first().waitFor();
      await expectNoSeriousA11yViolations(page, `${path} on a phone`);
    }
    await screenshot(page, 'search-phone-after-trash', { fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('empties the trash only after a confirmation that counts every item', async () => {
    await household.owner.json('POST', '/api/v1/media/batch/delete', { ids: [ids.F] });
    const { page, context, errors } = await open('/trash');
    await tile(page, 'F').waitFor();
    await tile(page, 'E').waitFor();

    const emptyButton = page.getByRole('button', { name: 'Empty Trash' });
    await emptyButton.click();
    const dialog = page.getByRole('dialog', { name: 'Empty Trash?' });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain('2 items will be deleted for good; this cannot be undone.');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await isTrashed(ids.E)).toBe(true);
    expect(await isTrashed(ids.F)).toBe(true);

    await emptyButton.click();
    await dialog.getByRole('button', { name: 'Empty Trash' }).click();
    await page.getByRole('status').filter({ hasText: 'Emptied the Trash: deleted 2 for good' }).waitFor();
    await page.getByRole('heading', { name: 'Trash is empty' }).waitFor();
    expect((await household.owner.json<TrashList>('GET', '/api/v1/trash')).items).toEqual([]);
    expect(await isGoneForGood(ids.E)).toBe(true);
    expect(await isGoneForGood(ids.F)).toBe(true);
    await expectNoSeriousA11yViolations(page, 'trash, empty');
    await screenshot(page, 'trash-empty-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });
});
