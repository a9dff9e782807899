// Selecting in the grid and what the selection bar does with it (favourite, add to an album,
// download a ZIP, move to trash), and the albums: the list with covers and counts, an album's own
// grid, remove from album, rename, delete. Everything the page shows is checked against the
// server's state over the API. One library for the file; the tests run in order and say where one
// builds on another.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Album, AlbumList, MediaDetail, MediaList, TrashList } from '@iclood/api-types';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  expectNoSeriousA11yViolations,
  makePhoto,
  screenshot,
  type ApiSession,
  type Viewport,
  useHousehold,
} from './harness.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };

/** The library: four photos in July 2024 (newest first in the grid: D, C, B, A), two in June. */
const PHOTOS = {
  A: { takenAt: '2024:07:01 10:00:00', name: 'IMG_0701.JPG' },
  B: { takenAt: '2024:07:02 10:00:00', name: 'IMG_0702.JPG' },
  C: { takenAt: '2024:07:03 10:00:00', name: 'IMG_0703.JPG' },
  D: { takenAt: '2024:07:04 10:00:00', name: 'IMG_0704.JPG' },
  E: { takenAt: '2024:06:10 10:00:00', name: 'IMG_0610.JPG' },
  F: { takenAt: '2024:06:11 10:00:00', name: 'IMG_0611.JPG' },
} as const;
type Key = keyof typeof PHOTOS;

/** Polls what the page shows until it matches (a first load of a Pi-sized CI box can take seconds). */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000, interval: 100 });

const sha256OfStream = (stream: NodeJS.ReadableStream) =>
  new Promise<string>((resolve, reject) => {
    const hash = createHash('sha256');
    stream.on('error', reject);
    stream.on('data', (chunk: Buffer) => hash.update(chunk));
    stream.on('end', () => resolve(hash.digest('hex')));
  });

/** Runs Info-ZIP's `unzip` and resolves with its stdout as text (names) or streams it to a hash. */
function unzipNames(zip: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('unzip', ['-Z1', zip]);
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out.split('\n').filter(Boolean)) : reject(new Error(`unzip -Z1 exited ${code}`)),
    );
  });
}
function unzipEntrySha256(zip: string, entry: string): Promise<string> {
  const child = spawn('unzip', ['-p', zip, entry]);
  return sha256OfStream(child.stdout);
}

describe('select and albums', () => {
  const household = useHousehold({ owner: OWNER });
  let api: ApiSession;
  let downloads: string;
  const ids = {} as Record<Key, string>;
  const hashes = {} as Record<Key, string>;
  /** Made by the "Add to album" test and used by the album tests after it. */
  let summer: Album | undefined;

  beforeAll(async () => {
    api = household.owner;
    downloads = await mkdtemp(join(tmpdir(), 'iclood-select-albums-'));
    let seed = 100;
    for (const [key, photo] of Object.entries(PHOTOS) as [Key, (typeof PHOTOS)[Key]][]) {
      const file = await makePhoto({ takenAt: photo.takenAt, seed: (seed += 1) });
      hashes[key] = await sha256OfStream(createReadStream(file.path));
      ids[key] = (await api.upload(file.path, photo.name)).id;
    }
    await api.waitForThumbnails(Object.values(ids));
  });

  afterAll(async () => {
    if (downloads) await rm(downloads, { recursive: true, force: true });
  });

  async function openPage(path: string, viewport: Viewport = DESKTOP) {
    const signedIn = await household.signedInPage(OWNER, viewport);
    await signedIn.page.goto(path);
    return signedIn;
  }

  const check = (page: Page, key: Key) =>
    page.getByRole('button', { name: `Select ${PHOTOS[key].name}`, exact: true });
  const tile = (page: Page, key: Key) => page.locator(`a.tile-link[data-id="${ids[key]}"]`);
  const bar = (page: Page) => page.getByRole('toolbar', { name: 'Selected items' });
  const barButton = (page: Page, name: string) => bar(page).getByRole('button', { name, exact: true });

  async function favouriteIds(): Promise<string[]> {
    const { items } = await api.json<MediaList>('GET', '/api/v1/media/list?favorite=true&limit=100');
    return items.map((item) => item.id).sort();
  }
  async function albumItemIds(albumId: string): Promise<string[]> {
    const { items } = await api.json<MediaList>('GET', `/api/v1/media/list?album=${albumId}&limit=100`);
    return items.map((item) => item.id).sort();
  }
  const idsOf = (...keys: Key[]) => keys.map((key) => ids[key]).sort();

  /** Selects C, then shift-clicks A: the range C, B, A in grid order. */
  async function selectCtoA(page: Page) {
    await check(page, 'C').click();
    await check(page, 'A').click({ modifiers: ['Shift'] });
    await eventually(() => bar(page).getByText('3 selected').isVisible()).toBe(true);
  }

  it('selects with the check buttons and a shift-click range; Favourite marks exactly those on the server', async () => {
    const { page, context, errors } = await openPage('/photos');
    await eventually(() => check(page, 'D').count()).toBe(1);

    // One check toggles one item; Esc clears the selection.
    await check(page, 'D').click();
    await eventually(() => bar(page).getByText('1 selected').isVisible()).toBe(true);
    expect(await check(page, 'D').getAttribute('aria-pressed')).toBe('true');
    await check(page, 'D').click();
    await eventually(() => bar(page).count()).toBe(0);
    await check(page, 'B').click();
    await page.keyboard.press('Escape');
    await eventually(() => bar(page).count()).toBe(0);

    await selectCtoA(page);
    for (const key of ['A', 'B', 'C'] as const)
      expect(await check(page, key).getAttribute('aria-pressed')).toBe('true');
    for (const key of ['D', 'E', 'F'] as const)
      expect(await check(page, key).getAttribute('aria-pressed')).toBe('false');
    await expectNoSeriousA11yViolations(page, '/photos with three selected (desktop)');
    await screenshot(page, 'select-albums-photos-selected-desktop');

    await barButton(page, 'Favourite').click();
    await eventually(() =>
      page.getByRole('status').filter({ hasText: 'Marked 3 items as favourite' }).count(),
    ).toBe(1);
    expect(await favouriteIds()).toEqual(idsOf('A', 'B', 'C'));
    // The grid shows it too, and the bar now offers the opposite.
    await eventually(() => tile(page, 'A').getAttribute('aria-label')).toContain('favourite');
    await eventually(() => barButton(page, 'Unfavourite').isVisible()).toBe(true);

    await barButton(page, 'Clear selection').click();
    await eventually(() => bar(page).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Add to album makes the album "Summer" holding exactly the selection; a name already taken is said in words', async () => {
    const { page, context, errors } = await openPage('/photos');
    await eventually(() => check(page, 'C').count()).toBe(1);
    await selectCtoA(page);

    await barButton(page, 'Add to album').click();
    const dialog = page.getByRole('dialog', { name: 'Add 3 items to an album' });
    await dialog.getByLabel('New album').fill('Summer');
    await dialog.getByRole('button', { name: 'Create and add' }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Added 3 to Summer' }).count()).toBe(1);
    await eventually(() => dialog.isVisible()).toBe(false);

    const { items } = await api.json<AlbumList>('GET', '/api/v1/albums');
    summer = items.find((album) => album.name === 'Summer');
    expect(summer?.itemCount).toBe(3);
    expect(await albumItemIds(summer!.id)).toEqual(idsOf('A', 'B', 'C'));

    // The same name again (in another case) is refused, in words, and nothing is added.
    await barButton(page, 'Clear selection').click();
    await check(page, 'D').click();
    await barButton(page, 'Add to album').click();
    const again = page.getByRole('dialog', { name: 'Add 1 item to an album' });
    // Existing albums are offered with their cover and count.
    const choice = again.getByRole('button', { name: /Summer\s*3 items/ });
    await eventually(() => choice.isVisible()).toBe(true);
    expect(await choice.locator('img').getAttribute('src')).toContain(
      `/media/${summer!.coverMediaId}/thumbnail`,
    );
    await again.getByLabel('New album').fill('summer');
    await again.getByRole('button', { name: 'Create and add' }).click();
    await eventually(() => again.getByRole('alert').textContent()).toMatch(
      /already have an album called "summer"/i,
    );
    await screenshot(page, 'select-albums-name-taken-desktop');
    await page.keyboard.press('Escape');
    await eventually(() => again.isVisible()).toBe(false);
    expect(await albumItemIds(summer!.id)).toEqual(idsOf('A', 'B', 'C'));
    expect((await api.json<AlbumList>('GET', '/api/v1/albums')).items).toHaveLength(1);

    expect(errors.filter((line) => !line.includes('409'))).toEqual([]);
    await context.close();
  });

  it('Download saves a ZIP of exactly the selected originals, byte for byte, and the page stays', async () => {
    const { page, context, errors } = await openPage('/photos');
    await eventually(() => check(page, 'C').count()).toBe(1);
    await selectCtoA(page);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      barButton(page, 'Download').click(),
    ]);
    const zip = join(downloads, 'selection.zip');
    await download.saveAs(zip);
    expect(download.suggestedFilename()).toMatch(/^iclood-anna-.*\.zip$/);

    const names = await unzipNames(zip);
    expect(names.sort()).toEqual([PHOTOS.A.name, PHOTOS.B.name, PHOTOS.C.name].sort());
    for (const key of ['A', 'B', 'C'] as const) {
      expect(await unzipEntrySha256(zip, PHOTOS[key].name)).toBe(hashes[key]);
    }
    // A download, not a navigation: the grid and the selection are still there.
    expect(new URL(page.url()).pathname).toBe('/photos');
    await eventually(() => bar(page).getByText('3 selected').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('"Select all of <month>" selects every item of that month and nothing else', async () => {
    const { page, context, errors } = await openPage('/photos');
    await eventually(() => check(page, 'E').count()).toBe(1);
    await page.getByRole('button', { name: 'Select all of June 2024' }).click();
    await eventually(() => bar(page).getByText('2 selected').isVisible()).toBe(true);
    for (const key of ['E', 'F'] as const)
      expect(await check(page, key).getAttribute('aria-pressed')).toBe('true');
    for (const key of ['A', 'B', 'C', 'D'] as const)
      expect(await check(page, key).getAttribute('aria-pressed')).toBe('false');
    await page.getByRole('button', { name: 'Deselect all of June 2024' }).click();
    await eventually(() => bar(page).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Move to Trash from the bar takes the items out of the grid and into the trash', async () => {
    const { page, context, errors } = await openPage('/photos');
    await eventually(() => check(page, 'F').count()).toBe(1);
    await check(page, 'F').click();
    await barButton(page, 'Move to Trash').click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Moved 1 to Trash' }).count()).toBe(1);
    await eventually(() => tile(page, 'F').count()).toBe(0);
    await eventually(() => bar(page).count()).toBe(0);
    await eventually(() => tile(page, 'E').count()).toBe(1);

    const trash = await api.json<TrashList>('GET', '/api/v1/trash');
    expect(trash.items.map((item) => item.id)).toEqual([ids.F]);
    const { items } = await api.json<MediaList>('GET', '/api/v1/media/list?limit=100');
    expect(items.map((item) => item.id)).not.toContain(ids.F);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Albums lists each album with its cover and count; a new album is made from the list, a taken name refused in words', async () => {
    expect(summer, 'made by the Add to album test').toBeDefined();
    const { page, context, errors } = await openPage('/albums');
    const card = page.getByRole('link', { name: /^Summer\s*3 items$/ });
    await eventually(() => card.isVisible()).toBe(true);
    expect(await card.getAttribute('href')).toBe(`/albums/${summer!.id}`);
    const cover = card.locator('img');
    expect(await cover.getAttribute('src')).toBe(
      `/api/v1/media/${summer!.coverMediaId}/thumbnail?size=small`,
    );
    await eventually(() =>
      cover.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0),
    ).toBe(true);

    await page.getByRole('button', { name: 'New album' }).click();
    const dialog = page.getByRole('dialog', { name: 'New album' });
    await dialog.getByLabel('Album name').fill('Winter');
    await dialog.getByRole('button', { name: 'Create album' }).click();
    const winter = page.getByRole('link', { name: /^Winter\s*0 items$/ });
    await eventually(() => winter.isVisible()).toBe(true);
    // An empty album has a placeholder, not a broken image.
    expect(await winter.locator('img').count()).toBe(0);
    expect(await winter.locator('[data-empty-cover]').count()).toBe(1);
    expect(
      (await api.json<AlbumList>('GET', '/api/v1/albums')).items.map((album) => album.name).sort(),
    ).toEqual(['Summer', 'Winter']);

    await page.getByRole('button', { name: 'New album' }).click();
    await dialog.getByLabel('Album name').fill('WINTER');
    await dialog.getByRole('button', { name: 'Create album' }).click();
    await eventually(() => dialog.getByRole('alert').textContent()).toMatch(
      /already have an album called "WINTER"/,
    );
    await dialog.getByLabel('Album name').fill('   ');
    await dialog.getByRole('button', { name: 'Create album' }).click();
    await eventually(() => dialog.getByRole('alert').textContent()).toMatch(/album name must not be empty/i);
    await page.keyboard.press('Escape');

    await expectNoSeriousA11yViolations(page, '/albums (desktop)');
    await screenshot(page, 'select-albums-albums-desktop');
    expect(errors.filter((line) => !/\b(409|400)\b/.test(line))).toEqual([]);
    await context.close();
  });

  it('an album opens on its own grid; Remove from album takes an item out of the album only', async () => {
    expect(summer, 'made by the Add to album test').toBeDefined();
    const { page, context, errors } = await openPage('/albums');
    await page.getByRole('link', { name: /^Summer\s*3 items$/ }).click();
    await eventually(() => new URL(page.url()).pathname).toBe(`/albums/${summer!.id}`);
    await eventually(() => page.getByRole('heading', { level: 1, name: 'Summer' }).isVisible()).toBe(true);
    const grid = page.getByRole('region', { name: 'Album Summer' });
    await eventually(() => grid.locator('a.tile-link').count()).toBe(3);
    await expectNoSeriousA11yViolations(page, `/albums/<id> (desktop)`);

    await check(page, 'A').click();
    await expectNoSeriousA11yViolations(page, `/albums/<id> with one selected (desktop)`);
    await screenshot(page, 'select-albums-album-selected-desktop');
    await barButton(page, 'Remove from album').click();
    await eventually(() =>
      page.getByRole('status').filter({ hasText: 'Removed 1 from Summer' }).count(),
    ).toBe(1);
    await eventually(() => grid.locator('a.tile-link').count()).toBe(2);
    await eventually(() =>
      page.locator('.page-header').getByText('2 items', { exact: true }).isVisible(),
    ).toBe(true);

    expect(await albumItemIds(summer!.id)).toEqual(idsOf('B', 'C'));
    expect((await api.json<Album>('GET', `/api/v1/albums/${summer!.id}`)).itemCount).toBe(2);
    // Still in the library, not in the trash.
    expect((await api.json<MediaDetail>('GET', `/api/v1/media/${ids.A}`)).id).toBe(ids.A);
    expect((await api.json<TrashList>('GET', '/api/v1/trash')).items.map((item) => item.id)).not.toContain(
      ids.A,
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Rename shows the new name and the server keeps it', async () => {
    expect(summer, 'made by the Add to album test').toBeDefined();
    const { page, context, errors } = await openPage(`/albums/${summer!.id}`);
    await eventually(() => page.getByRole('heading', { level: 1, name: 'Summer' }).isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Rename' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename album' });
    expect(await dialog.getByLabel('Album name').inputValue()).toBe('Summer');
    await dialog.getByLabel('Album name').fill('Summer 2024');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await eventually(() => page.getByRole('heading', { level: 1, name: 'Summer 2024' }).isVisible()).toBe(
      true,
    );
    expect((await api.json<Album>('GET', `/api/v1/albums/${summer!.id}`)).name).toBe('Summer 2024');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('Delete album asks first, goes back to Albums, and leaves the photos in the library', async () => {
    expect(summer, 'made by the Add to album test').toBeDefined();
    const { page, context, errors } = await openPage(`/albums/${summer!.id}`);
    await page.getByRole('button', { name: 'Delete album' }).click();
    const dialog = page.getByRole('dialog', { name: /^Delete the album Summer 2024/ });
    await eventually(() => dialog.getByText(/The photos stay in your library/).isVisible()).toBe(true);
    await screenshot(page, 'select-albums-delete-desktop');
    await dialog.getByRole('button', { name: 'Delete album' }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/albums');
    await eventually(() => page.getByRole('link', { name: /^Winter/ }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: /^Summer 2024/ }).count()).toBe(0);

    const response = await api.fetch(`/api/v1/albums/${summer!.id}`);
    expect(response.status).toBe(404);
    await response.body?.cancel();
    const { items } = await api.json<MediaList>('GET', '/api/v1/media/list?limit=100');
    expect(items.map((item) => item.id).sort()).toEqual(idsOf('A', 'B', 'C', 'D', 'E'));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an unknown album says it does not exist, with a way back to Albums', async () => {
    const { page, context, errors } = await openPage('/albums/5b0c7c1e-0000-4000-8000-000000000000');
    await eventually(() =>
      page.getByRole('heading', { level: 1, name: 'This album does not exist' }).isVisible(),
    ).toBe(true);
    await page.getByRole('link', { name: 'See your albums' }).click();
    await eventually(() => new URL(page.url()).pathname).toBe('/albums');
    expect(errors.filter((line) => !line.includes('404'))).toEqual([]);
    await context.close();
  });

  it('on a phone: a long-press selects, the bar sits clear of the tab bar, Add to album works; albums pass axe', async () => {
    const { page, context, errors } = await openPage('/photos', PHONE);
    const target = tile(page, 'D');
    await eventually(() => target.count()).toBe(1);
    await target.scrollIntoViewIfNeeded();
    const box = (await target.boundingBox())!;
    const touch = await context.newCDPSession(page);
    const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await touch.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
    // Held until the selection shows: the press is long by construction, not by a timer here.
    await eventually(() => bar(page).getByText('1 selected').isVisible()).toBe(true);
    await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    // The press selected; it did not open the photo.
    expect(new URL(page.url()).pathname).toBe('/photos');
    expect(await check(page, 'D').getAttribute('aria-pressed')).toBe('true');

    // Labels may hide on a phone; the names stay.
    for (const name of ['Favourite', 'Add to album', 'Download', 'Move to Trash', 'Clear selection']) {
      await eventually(() => barButton(page, name).isVisible()).toBe(true);
    }
    const barBox = (await bar(page).boundingBox())!;
    const navBox = (await page.getByRole('navigation', { name: 'Library' }).boundingBox())!;
    const overlaps = barBox.y < navBox.y + navBox.height && navBox.y < barBox.y + barBox.height;
    expect(overlaps, `bar ${JSON.stringify(barBox)} and tab bar ${JSON.stringify(navBox)} overlap`).toBe(
      false,
    );
    expect(barBox.x).toBeGreaterThanOrEqual(0);
    expect(barBox.x + barBox.width).toBeLessThanOrEqual(PHONE.width);
    await expectNoSeriousA11yViolations(page, '/photos with one selected (phone)');
    await screenshot(page, 'select-albums-photos-selected-phone');

    await barButton(page, 'Add to album').click();
    const dialog = page.getByRole('dialog', { name: 'Add 1 item to an album' });
    await dialog.getByRole('button', { name: /Winter\s*0 items/ }).click();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Added 1 to Winter' }).count()).toBe(1);
    const winter = (await api.json<AlbumList>('GET', '/api/v1/albums')).items.find(
      (album) => album.name === 'Winter',
    )!;
    expect(await albumItemIds(winter.id)).toEqual([ids.D]);

    await page.goto('/albums');
    await eventually(() => page.getByRole('link', { name: /^Winter\s*1 item$/ }).isVisible()).toBe(true);
    await expectNoSeriousA11yViolations(page, '/albums (phone)');
    await screenshot(page, 'select-albums-albums-phone');
    await page.getByRole('link', { name: /^Winter/ }).click();
    await eventually(() =>
      page.getByRole('region', { name: 'Album Winter' }).locator('a.tile-link').count(),
    ).toBe(1);
    await expectNoSeriousA11yViolations(page, '/albums/<id> (phone)');
    await screenshot(page, 'select-albums-album-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});
