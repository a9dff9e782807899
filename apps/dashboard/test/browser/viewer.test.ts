// The photo viewer at /photos/<id>, driven in Chromium against the real built server: opening
// from the timeline, ←/→ and swipe in grid order, Esc, the info panel, rename, favourite, trash,
// video seeking over Range, zoom to the original, a deep link, an id that is not yours.
import type { MediaDetail, MediaList, TrashList } from '@iclood/api-types';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  apiSession,
  createMember,
  expectNoSeriousA11yViolations,
  makePhoto,
  makeVideo,
  screenshot,
  type ApiSession,
  type SignedInPage,
  type Viewport,
  useHousehold,
} from './harness.js';

const OWNER = { username: 'vera', password: 'viewer password 1' };
const MEMBER = { username: 'milo', password: 'viewer password 2' };

interface Uploaded {
  id: string;
  name: string;
}

describe('viewer', () => {
  const household = useHousehold({ owner: OWNER });
  let session: ApiSession;
  /** Newest first, as the timeline shows them. */
  let beach: Uploaded; // 14 July 2024, Apple iPhone 15 Pro, +02:00
  let clip: Uploaded; // 12 July 2024, a 3 s video
  let garden: Uploaded; // 10 July 2024, portrait
  let attic: Uploaded; // 1 March 2024, the one moved to the trash
  let snow: Uploaded; // 5 January 2024
  let strangers: Uploaded; // another member's photo
  /** One small photo a month from January 2019 to February 2020, oldest first: far down the timeline. */
  const older: Uploaded[] = [];
  const pages: SignedInPage[] = [];

  beforeAll(async () => {
    session = household.owner;
    const files = await Promise.all([
      makePhoto({
        takenAt: '2024:07:14 18:30:00',
        offset: '+02:00',
        make: 'Apple',
        model: 'iPhone 15 Pro',
        seed: 21,
      }),
      makeVideo({ seconds: 3, takenAt: '2024-07-12T10:00:00Z', seed: 22 }),
      makePhoto({ takenAt: '2024:07:10 09:00:00', width: 3024, height: 4032, seed: 23 }),
      makePhoto({ takenAt: '2024:03:01 12:00:00', seed: 24 }),
      makePhoto({ takenAt: '2024:01:05 12:00:00', seed: 25 }),
    ]);
    const uploaded = [];
    for (const file of files) {
      const { id } = await session.upload(file.path, file.name);
      uploaded.push({ id, name: file.name });
    }
    [beach, clip, garden, attic, snow] = uploaded as [Uploaded, Uploaded, Uploaded, Uploaded, Uploaded];
    for (let index = 0; index < 14; index += 1) {
      const year = 2019 + Math.floor(index / 12);
      const month = String((index % 12) + 1).padStart(2, '0');
      const file = await makePhoto({
        takenAt: `${year}:${month}:15 12:00:00`,
        width: 320,
        height: 240,
        seed: 100 + index,
      });
      older.push({ id: (await session.upload(file.path, file.name)).id, name: file.name });
    }
    await session.waitForThumbnails([...uploaded, ...older].map((item) => item.id));

    await createMember(household.origin, OWNER, MEMBER);
    const member = await apiSession(household.origin, MEMBER.username, MEMBER.password);
    const theirs = await makePhoto({ takenAt: '2024:05:05 05:05:05', seed: 26 });
    strangers = { id: (await member.upload(theirs.path, theirs.name)).id, name: theirs.name };
  });

  afterAll(async () => {
    for (const { context } of pages) await context.close().catch(() => undefined);
  });

  async function signedIn(viewport: Viewport = DESKTOP): Promise<SignedInPage> {
    const signed = await household.signedInPage(OWNER, viewport);
    pages.push(signed);
    return signed;
  }

  /** The ids of the library in the order the timeline shows them (the server's list order). */
  async function libraryOrder(): Promise<string[]> {
    const { items } = await session.json<MediaList>('GET', '/api/v1/media/list?limit=100');
    return items.map((item) => item.id);
  }

  /** Opens the timeline and clicks the tile of `item`; resolves with the viewer dialog open. */
  async function openFromTimeline(page: Page, item: Uploaded) {
    await page.goto('/photos');
    const tile = page.locator(`a.tile-link[data-id="${item.id}"]`);
    await tile.click();
    await page.waitForURL(`**/photos/${item.id}`);
    const dialog = page.getByRole('dialog', { name: item.name });
    await dialog.waitFor();
    return dialog;
  }

  const previewLoaded = (page: Page) =>
    page.waitForFunction(() => {
      const image = document.querySelector<HTMLImageElement>('dialog.viewer img.photo');
      return !!image && image.complete && image.naturalWidth > 0 ? image.currentSrc : false;
    });

  const viewerShows = async (page: Page, item: Uploaded) => {
    try {
      await page.waitForURL(`**/photos/${item.id}`);
      await page.getByRole('dialog', { name: item.name }).waitFor();
    } catch (error) {
      throw new Error(`the viewer did not come to ${item.name} (${item.id}): ${await whereIs(page)}`, {
        cause: error,
      });
    }
  };

  /** Where the page is and what its viewer shows, for a failure to say what happened instead. */
  const whereIs = async (page: Page) => {
    const viewer = await page
      .evaluate(() =>
        (document.querySelector('dialog.viewer') as HTMLElement | null)?.innerText.slice(0, 300),
      )
      .catch(() => undefined);
    const order = await libraryOrder().catch(() => []);
    return `the page is at ${page.url()}; its viewer shows ${JSON.stringify(viewer ?? null)}; the library's order is ${order.join(', ')}`;
  };

  it('opens a tile as a modal dialog at /photos/<id> named by the file, with the preview loaded and focus inside', async () => {
    const { page, errors } = await signedIn();
    await openFromTimeline(page, beach);
    const source = await (await previewLoaded(page)).jsonValue();
    expect(source).toContain(`/api/v1/media/${beach.id}/thumbnail?size=preview`);
    const dialog = page.locator('dialog.viewer');
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    expect(await page.evaluate(() => document.querySelector('dialog.viewer')?.matches(':modal'))).toBe(true);
    expect(await page.evaluate(() => !!document.activeElement?.closest('dialog.viewer'))).toBe(true);
    await screenshot(page, 'viewer-photo-desktop');
    expect(errors).toEqual([]);
  });

  it('→ and ← move in grid order, replacing the history entry so Back leaves in one step', async () => {
    const { page, errors } = await signedIn();
    const order = await libraryOrder();
    await openFromTimeline(page, beach);
    const at = order.indexOf(beach.id);
    const byId = new Map([beach, clip, garden, attic, snow].map((item) => [item.id, item]));
    const next = byId.get(order[at + 1]!)!;
    const afterNext = byId.get(order[at + 2]!)!;

    await page.keyboard.press('ArrowRight');
    await viewerShows(page, next);
    await page.keyboard.press('ArrowRight');
    await viewerShows(page, afterNext);
    await page.keyboard.press('ArrowLeft');
    await viewerShows(page, next);
    // The on-screen buttons do the same.
    await page.getByRole('button', { name: 'Next photo' }).click();
    await viewerShows(page, afterNext);
    await page.getByRole('button', { name: 'Previous photo' }).click();
    await viewerShows(page, next);

    await page.goBack();
    await page.waitForURL('**/photos');
    await expect.poll(() => page.locator('dialog.viewer').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('Esc closes the viewer back to the grid and gives focus to the tile of the photo last shown', async () => {
    const { page, errors } = await signedIn();
    const order = await libraryOrder();
    await openFromTimeline(page, beach);
    const nextId = order[order.indexOf(beach.id) + 1]!;
    await page.keyboard.press('ArrowRight');
    await page.waitForURL(`**/photos/${nextId}`);
    await page.keyboard.press('Escape');
    await page.waitForURL('**/photos');
    await expect.poll(() => page.locator('dialog.viewer').count()).toBe(0);
    await page.getByRole('region', { name: 'Photos by month' }).waitFor();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('data-id')))
      .toBe(nextId);
    expect(errors).toEqual([]);
  });

  it('the info panel (i) shows the date taken with its offset, the camera, dimensions, size and device', async () => {
    const { page, errors } = await signedIn();
    await openFromTimeline(page, beach);
    await page.keyboard.press('i');
    const info = page.getByRole('complementary', { name: 'Info' });
    await info.waitFor();
    const detail = await session.json<MediaDetail>('GET', `/api/v1/media/${beach.id}`);
    // 18:30 on the camera's clock at +02:00, however the browser's own zone is set.
    await expect.poll(() => info.textContent()).toContain('14 Jul 2024, 18:30 (UTC+02:00)');
    const text = (await info.textContent()) ?? '';
    expect(text).toContain('Apple iPhone 15 Pro');
    expect(text).toContain(`${detail.width} × ${detail.height}`);
    expect(text).toMatch(/\d(\.\d)? MB/);
    expect(text).toContain('This browser or the API');
    expect(await page.getByRole('button', { name: 'Info', exact: true }).getAttribute('aria-expanded')).toBe(
      'true',
    );
    await previewLoaded(page);
    await expectNoSeriousA11yViolations(page, 'the viewer with its info panel (desktop)');
    await screenshot(page, 'viewer-info-desktop');

    // The portrait photo's dimensions read as it is shown.
    await page.keyboard.press('ArrowRight'); // the video
    await page.keyboard.press('ArrowRight');
    await viewerShows(page, garden);
    await expect.poll(() => info.textContent()).toContain('3024 × 4032');
    expect(errors).toEqual([]);
  });

  it('renames a photo inline: the panel and the server show the new name, the original name stays known', async () => {
    const { page, errors } = await signedIn();
    await openFromTimeline(page, garden);
    await page.getByRole('button', { name: 'Info', exact: true }).click();
    await page.getByRole('button', { name: `Rename ${garden.name}` }).click();
    const field = page.getByRole('textbox', { name: 'File name' });
    await field.fill('Garden party.jpg');
    await field.press('Enter');
    const info = page.getByRole('complementary', { name: 'Info' });
    await expect.poll(() => info.textContent()).toContain(`Original name: ${garden.name}`);
    await page.getByRole('dialog', { name: 'Garden party.jpg' }).waitFor();
    await expect
      .poll(async () => (await session.json<MediaDetail>('GET', `/api/v1/media/${garden.id}`)).displayName)
      .toBe('Garden party.jpg');

    await page.getByRole('button', { name: 'Use the original name' }).click();
    await page.getByRole('dialog', { name: garden.name }).waitFor();
    await expect
      .poll(async () => (await session.json<MediaDetail>('GET', `/api/v1/media/${garden.id}`)).displayName)
      .toBeNull();
    expect(errors).toEqual([]);
  });

  it('favourites a photo: the button is pressed, the server agrees, and the grid tile shows the heart', async () => {
    const { page, errors } = await signedIn();
    await openFromTimeline(page, snow);
    const favourite = page.getByRole('button', { name: 'Favourite' });
    expect(await favourite.getAttribute('aria-pressed')).toBe('false');
    await favourite.click();
    await expect.poll(() => favourite.getAttribute('aria-pressed')).toBe('true');
    await expect
      .poll(async () => (await session.json<MediaDetail>('GET', `/api/v1/media/${snow.id}`)).favorite)
      .toBe(true);
    await page.keyboard.press('Escape');
    await page.waitForURL('**/photos');
    const tile = page.locator(`a.tile-link[data-id="${snow.id}"]`);
    await expect.poll(() => tile.getAttribute('aria-label')).toContain('favourite');
    expect(await tile.locator('.badge.favorite').count()).toBe(1);

    // `f` toggles it back.
    await tile.click();
    await viewerShows(page, snow);
    await page.keyboard.press('f');
    await expect.poll(() => favourite.getAttribute('aria-pressed')).toBe('false');
    await expect
      .poll(async () => (await session.json<MediaDetail>('GET', `/api/v1/media/${snow.id}`)).favorite)
      .toBe(false);
    expect(errors).toEqual([]);
  });

  it('zooms a JPEG to its original: the full-size image replaces the preview', async () => {
    const { page, errors } = await signedIn();
    await openFromTimeline(page, beach);
    await previewLoaded(page);
    const zoom = page.getByRole('button', { name: 'Zoom' });
    await zoom.click();
    expect(await zoom.getAttribute('aria-pressed')).toBe('true');
    await page.waitForFunction(() => {
      const image = document.querySelector<HTMLImageElement>('dialog.viewer img.photo');
      return (
        !!image && image.currentSrc.includes('/original') && image.complete && image.naturalWidth === 4032
      );
    });
    await screenshot(page, 'viewer-zoomed-desktop');
    // Double-click zooms back out.
    await page.locator('dialog.viewer .stage').dblclick();
    await expect.poll(() => zoom.getAttribute('aria-pressed')).toBe('false');
    expect(errors).toEqual([]);
  });

  it('plays a video from the original and seeks over HTTP Range', async () => {
    const { page, errors } = await signedIn();
    const partial: number[] = [];
    page.on('response', (response) => {
      if (response.url().includes(`/api/v1/media/${clip.id}/original`)) partial.push(response.status());
    });
    await openFromTimeline(page, clip);
    const video = page.locator('dialog.viewer video');
    await video.waitFor();
    expect(await video.getAttribute('src')).toBe(`/api/v1/media/${clip.id}/original`);
    expect(await video.getAttribute('poster')).toBe(`/api/v1/media/${clip.id}/thumbnail?size=preview`);
    await page.waitForFunction(
      () =>
        ((document.querySelector('dialog.viewer video') as HTMLVideoElement | null)?.readyState ?? 0) >= 1,
    );
    expect(await video.evaluate((element: HTMLVideoElement) => element.duration)).toBeCloseTo(3, 0);

    const seeked = await video.evaluate(
      (element: HTMLVideoElement) =>
        new Promise<{ time: number; state: number }>((done) => {
          element.addEventListener(
            'seeked',
            () => done({ time: element.currentTime, state: element.readyState }),
            { once: true },
          );
          element.currentTime = 2;
        }),
    );
    expect(seeked.time).toBeCloseTo(2, 1);
    await page.waitForFunction(
      () => (document.querySelector('dialog.viewer video') as HTMLVideoElement).readyState >= 2,
    );
    // Chromium asks for media in byte ranges; the server answers 206.
    expect(partial).toContain(206);

    await video.evaluate((element: HTMLVideoElement) => {
      element.muted = true;
      return element.play();
    });
    await page.waitForFunction(() => {
      const element = document.querySelector('dialog.viewer video') as HTMLVideoElement;
      return element.currentTime > 2.1 || element.ended;
    });
    await screenshot(page, 'viewer-video-desktop');
    expect(errors).toEqual([]);
  });

  it('moves a photo to the trash: it is in the trash, gone from the grid, and the viewer shows the next one', async () => {
    const { page, errors } = await signedIn();
    const order = await libraryOrder();
    const nextId = order[order.indexOf(attic.id) + 1]!;
    await openFromTimeline(page, attic);
    await page.getByRole('button', { name: 'Move to Trash' }).click();
    await page.waitForURL(`**/photos/${nextId}`);
    await expect
      .poll(() => page.locator('dialog.viewer [role="status"]').last().textContent())
      .toBe('Moved to Trash');
    await expect
      .poll(async () => (await session.json<TrashList>('GET', '/api/v1/trash')).items.map((item) => item.id))
      .toContain(attic.id);

    await page.keyboard.press('Escape');
    await page.waitForURL('**/photos');
    await page.locator(`a.tile-link[data-id="${nextId}"]`).waitFor();
    expect(await page.locator(`a.tile-link[data-id="${attic.id}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('a link to a photo works on its own (reload), with ←/→ through the timeline around it', async () => {
    const { page, errors } = await signedIn();
    const order = await libraryOrder();
    const at = order.indexOf(garden.id);
    await page.goto(`/photos/${garden.id}`);
    await viewerShows(page, garden);
    await page.reload();
    await viewerShows(page, garden);
    await previewLoaded(page);
    const byId = new Map([beach, clip, garden, snow].map((item) => [item.id, item]));
    await page.keyboard.press('ArrowRight');
    await viewerShows(page, byId.get(order[at + 1]!)!);
    await page.keyboard.press('ArrowLeft');
    await viewerShows(page, garden);
    await page.keyboard.press('ArrowLeft');
    await viewerShows(page, byId.get(order[at - 1]!)!);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.waitForURL('**/photos').catch(async (error: unknown) => {
      throw new Error(`Close did not lead to /photos: ${await whereIs(page)}`, { cause: error });
    });
    await page.getByRole('region', { name: 'Photos by month' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('a link to a photo whose month the timeline has not loaded: ←/→ cross into the months around it', async () => {
    const { page, errors } = await signedIn();
    const [oldest, second, third] = older as [Uploaded, Uploaded, Uploaded];
    await page.goto(`/photos/${second.id}`);
    await viewerShows(page, second);
    // The grid behind holds only the newest months; the viewer loads February 2019 (and the months
    // either side of it) itself.
    expect(await page.locator(`a.tile-link[data-id="${second.id}"]`).count()).toBe(0);
    await page.keyboard.press('ArrowRight');
    await viewerShows(page, oldest);
    const next = page.getByRole('button', { name: 'Next photo' });
    // Nothing is older: Next turns off once the server has said so.
    await expect.poll(() => next.isDisabled()).toBe(true);
    await page.keyboard.press('ArrowLeft');
    await viewerShows(page, second);
    await page.keyboard.press('ArrowLeft');
    await viewerShows(page, third);
    await previewLoaded(page);
    expect(errors).toEqual([]);
  });

  it('an unknown id, or another member’s photo, says it is not in your library, with a way back', async () => {
    const { page, errors } = await signedIn();
    for (const id of ['00000000-0000-4000-8000-000000000000', strangers.id]) {
      await page.goto(`/photos/${id}`);
      const dialog = page.getByRole('dialog', { name: 'This photo is not in your library' });
      await dialog.waitFor();
      expect(await page.locator('dialog.viewer img').count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Move to Trash' }).count()).toBe(0);
    }
    await expectNoSeriousA11yViolations(page, 'the viewer for an id not in the library');
    await page.getByRole('link', { name: 'Back to your photos' }).click();
    await page.waitForURL('**/photos');
    await expect.poll(() => page.locator('dialog.viewer').count()).toBe(0);
    // The API's 404s are the only console errors (Chromium logs every failed fetch).
    expect(errors.filter((line) => !/status of 404/.test(line))).toEqual([]);
  });

  it('on a phone: full screen, a swipe moves to the next photo, the info opens as a bottom sheet', async () => {
    const { page, context, errors } = await signedIn(PHONE);
    const order = await libraryOrder();
    await page.goto('/photos');
    await page.locator(`a.tile-link[data-id="${beach.id}"]`).tap();
    await viewerShows(page, beach);
    await previewLoaded(page);
    const box = await page.locator('dialog.viewer').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: PHONE.width, height: PHONE.height });
    await screenshot(page, 'viewer-photo-phone');

    // A real touch drag, right to left across the photo, that comes to rest before the finger
    // lifts (event timestamps, no waiting): a flick would leave Chromium a fling to stop, and it
    // swallows the next tap to stop it.
    const stage = (await page.locator('dialog.viewer .stage').boundingBox())!;
    const y = stage.y + stage.height / 2;
    const cdp = await context.newCDPSession(page);
    const start = Date.now() / 1000;
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchStart',
      touchPoints: [{ x: 320, y }],
      timestamp: start,
    });
    for (const [step, x] of [290, 260, 230, 200, 170, 140, 110, 100].entries()) {
      await cdp.send('Input.dispatchTouchEvent', {
        type: 'touchMove',
        touchPoints: [{ x, y }],
        timestamp: start + 0.03 * (step + 1),
      });
    }
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove',
      touchPoints: [{ x: 100, y }],
      timestamp: start + 0.5,
    });
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchEnd',
      touchPoints: [],
      timestamp: start + 0.55,
    });
    const nextId = order[order.indexOf(beach.id) + 1]!;
    await page.waitForURL(`**/photos/${nextId}`);

    // Every action sits in the bar at the bottom, within the screen.
    for (const name of [
      'Favourite',
      'Info',
      'Download original',
      'Move to Trash',
      'Next photo',
      'Previous photo',
    ]) {
      const control = (await page
        .getByRole(name === 'Download original' ? 'link' : 'button', { name, exact: true })
        .boundingBox())!;
      expect(control.y).toBeGreaterThan(PHONE.height - 80);
      expect(control.x + control.width).toBeLessThanOrEqual(PHONE.width);
    }

    await page.getByRole('button', { name: 'Info', exact: true }).tap();
    const info = page.getByRole('complementary', { name: 'Info' });
    await info.waitFor();
    const sheet = (await info.boundingBox())!;
    expect(sheet.width).toBe(PHONE.width);
    expect(sheet.y).toBeGreaterThan(PHONE.height / 3);
    await expectNoSeriousA11yViolations(page, 'the viewer with its info panel (phone)');
    await screenshot(page, 'viewer-info-phone');
    expect(errors).toEqual([]);
  });
});
