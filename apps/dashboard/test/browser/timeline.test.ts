// The timeline (/photos, the home page) and the app shell around it, in Chromium against the
// built server: the first-run setup, sign-in on a deep link and after a session ends mid-way,
// month headings on the camera's calendar, video lengths and thumbnails that are pending or
// failed, the year rail and Jump to…, virtualisation over 300 photos, deep links with reload and
// back/forward, the keyboard, dark mode and accessibility at desktop and phone sizes.
import { request as httpRequest } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaDetail, MediaList } from '@iclood/api-types';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DESKTOP,
  PHONE,
  apiSession,
  expectNoSeriousA11yViolations,
  launchBrowser,
  makePhoto,
  makeVideo,
  newPage,
  newSignedInPage,
  screenshot,
  startServer,
  type ApiSession,
  type Credentials,
  type SignedInPage,
  type TestServer,
  type Viewport,
  startServerWithOwner,
} from './harness.js';

const OWNER = { username: 'tess', password: 'timeline password 1' };
/** The owner the first-run test creates through the setup screen of its own server. */
const FIRST_OWNER = { username: 'olga', password: 'first run password 1' };

/** Polls what the page shows until it matches (a first load on a busy 2-core box can take seconds). */
const eventually = <T>(read: () => T | Promise<T>, timeout = 30_000) =>
  expect.poll(read, { timeout, interval: 100 });

/** Outside a test (hooks, helpers): polls `check` until it is true, or throws naming `what`. */
async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Not within ${timeoutMs / 1000} s: ${what}`);
    await new Promise((wake) => setTimeout(wake, 100));
  }
}

/** Errors other than the 401s Chromium logs while nobody is signed in. */
const unexpectedErrors = (errors: string[]) =>
  errors.filter((line) => !/status of 401 \(Unauthorized\)/.test(line));

async function signInThroughForm(page: Page, { username, password }: Credentials): Promise<void> {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const pathOf = (page: Page) => new URL(page.url()).pathname;
const fitsTheWidth = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

/** The relative luminance (0 black … 1 white) of an `rgb(…)` colour. */
function luminance(color: string): number {
  const [r, g, b] = (color.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => {
    const channel = Number(part) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close().catch((error: unknown) => console.error('closing Chromium failed:', error));
});

describe('first run and sessions', () => {
  // A server of its own: no owner until the first test creates one through the setup screen.
  let server: TestServer | undefined;
  let photo: { id: string; name: string };
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startServer();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await server?.stop();
  });

  async function track(opened: Promise<SignedInPage>): Promise<SignedInPage> {
    const signed = await opened;
    contexts.push(signed.context);
    return signed;
  }

  it('a fresh server shows the setup screen; creating the owner there signs in to the empty timeline', async () => {
    const { page, context, errors } = await track(newPage(browser, server!.origin));
    await page.goto('/');
    await page.getByRole('heading', { name: 'Create the owner account', level: 1 }).waitFor();
    expect(await page.title()).toBe('Set up · iClood');
    expect(await page.getByRole('navigation', { name: 'Library' }).count()).toBe(0);
    await expectNoSeriousA11yViolations(page, 'the setup screen');
    await screenshot(page, 'timeline-setup-desktop');

    await page.getByLabel('Username', { exact: true }).fill(FIRST_OWNER.username);
    await page.getByLabel('Password', { exact: true }).fill(FIRST_OWNER.password);
    await page.getByLabel('Confirm password', { exact: true }).fill(FIRST_OWNER.password);
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'No photos yet' }).waitFor();
    expect(await page.getByText('Pair an iPhone to back it up').isVisible()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Library' }).isVisible()).toBe(true);
    expect(await page.getByRole('link', { name: 'Photos', exact: true }).getAttribute('aria-current')).toBe(
      'page',
    );
    expect(pathOf(page)).toBe('/');
    expect(await page.title()).toBe('Photos · iClood');
    // The browser holds the new owner's session, and the server's setup is done.
    const me = await context.request.get('/api/v1/auth/me');
    expect(me.ok()).toBe(true);
    expect(((await me.json()) as { data: { user: { username: string } } }).data.user.username).toBe(
      FIRST_OWNER.username,
    );
    const setup = await context.request.get('/api/v1/setup');
    expect(((await setup.json()) as { data: { needed: boolean } }).data.needed).toBe(false);
    await expectNoSeriousA11yViolations(page, 'the empty timeline (desktop)');
    await screenshot(page, 'timeline-empty-desktop');

    // The same session on a phone: the empty state fits the screen.
    const phone = await track(newPage(browser, server!.origin, PHONE));
    await phone.context.addCookies(await context.cookies());
    await phone.page.goto('/photos');
    await phone.page.getByRole('heading', { name: 'No photos yet' }).waitFor();
    expect(await fitsTheWidth(phone.page)).toBe(true);
    await expectNoSeriousA11yViolations(phone.page, 'the empty timeline (phone)');
    await screenshot(phone.page, 'timeline-empty-phone');
    expect(unexpectedErrors(errors)).toEqual([]);
    expect(phone.errors).toEqual([]);
  });

  it('signed out, a link to a photo or to Favorites asks to sign in, then opens that same URL', async () => {
    const api = await apiSession(server!.origin, FIRST_OWNER.username, FIRST_OWNER.password);
    const file = await makePhoto({ takenAt: '2024:02:02 12:00:00', width: 640, height: 480, seed: 501 });
    photo = { id: (await api.upload(file.path, 'Deep link.JPG')).id, name: 'Deep link.JPG' };
    await api.waitForThumbnails([photo.id]);

    const desktop = await track(newPage(browser, server!.origin));
    await desktop.page.goto(`/photos/${photo.id}`);
    await desktop.page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(await desktop.page.title()).toBe('Sign in · iClood');
    expect(await desktop.page.locator('dialog.viewer').count()).toBe(0);
    await signInThroughForm(desktop.page, FIRST_OWNER);
    await desktop.page.getByRole('dialog', { name: photo.name }).waitFor();
    expect(pathOf(desktop.page)).toBe(`/photos/${photo.id}`);

    const phone = await track(newPage(browser, server!.origin, PHONE));
    await phone.page.goto('/favorites');
    await phone.page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(await fitsTheWidth(phone.page)).toBe(true);
    await expectNoSeriousA11yViolations(phone.page, 'sign-in (phone)');
    await screenshot(phone.page, 'timeline-sign-in-phone');
    await signInThroughForm(phone.page, FIRST_OWNER);
    await phone.page.getByRole('heading', { name: 'Favorites', level: 1 }).waitFor();
    expect(pathOf(phone.page)).toBe('/favorites');
    expect(unexpectedErrors(desktop.errors)).toEqual([]);
    expect(unexpectedErrors(phone.errors)).toEqual([]);
  });

  it('a session cookie that is gone: opening a photo says the session ended, and signing in opens it', async () => {
    const { page, context, errors } = await track(
      newSignedInPage(browser, server!.origin, FIRST_OWNER, DESKTOP),
    );
    await page.goto('/photos');
    const tile = page.locator(`a.tile-link[data-id="${photo.id}"]`);
    await tile.waitFor();
    await context.clearCookies();
    await tile.click();

    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'session' }).innerText()).toBe(
      'Your session has ended. Sign in again.',
    );
    expect(pathOf(page)).toBe(`/photos/${photo.id}`);
    await screenshot(page, 'timeline-session-ended-desktop');
    await signInThroughForm(page, FIRST_OWNER);
    await page.getByRole('dialog', { name: photo.name }).waitFor();
    expect(pathOf(page)).toBe(`/photos/${photo.id}`);
    expect(await page.getByText('Your session has ended').count()).toBe(0);
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('a session signed out elsewhere (the same cookie): the next page says so, and signing in returns to it', async () => {
    const { page, context, errors } = await track(
      newSignedInPage(browser, server!.origin, FIRST_OWNER, DESKTOP, { freshLogin: true }),
    );
    await page.goto('/photos');
    await page.locator(`a.tile-link[data-id="${photo.id}"]`).waitFor();
    const logout = await context.request.delete('/api/v1/auth/logout');
    expect(logout.ok()).toBe(true);
    expect((await context.request.get('/api/v1/auth/me')).status()).toBe(401);

    await page.getByRole('navigation', { name: 'Library' }).getByRole('link', { name: 'Albums' }).click();
    await page.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
    await page.getByText('Your session has ended. Sign in again.').waitFor();
    expect(pathOf(page)).toBe('/albums');
    await signInThroughForm(page, FIRST_OWNER);
    await page.getByRole('heading', { name: 'Albums', level: 1 }).waitFor();
    expect(pathOf(page)).toBe('/albums');
    expect(unexpectedErrors(errors)).toEqual([]);
  });
});

interface Uploaded {
  id: string;
  name: string;
}

/** A JPEG's first bytes (SOI and a JFIF APP0 segment) and then noise: the server cannot decode it. */
function corruptJpeg(): Buffer {
  const header = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00,
    0x01, 0x00, 0x00,
  ]);
  const noise = Buffer.alloc(16 * 1024);
  let state = 0x2545f491;
  for (let index = 0; index < noise.length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    noise[index] = state & 0xff;
  }
  return Buffer.concat([header, noise]);
}

/**
 * Starts an upload and keeps it open, trickling bytes (the server starts no thumbnail job while an
 * upload is being received), until the returned function abandons it. Resolves once the server is
 * receiving it: its `.part` file is in the library's temporary folder.
 */
async function holdAnUploadOpen(server: TestServer, token: string): Promise<() => Promise<void>> {
  const tmpDir = join(server.libraryDir, '.tmp');
  const parts = async () => (await readdir(tmpDir).catch(() => [])).filter((name) => name.endsWith('.part'));
  const before = new Set(await parts());
  const upload = httpRequest(`${server.origin}/api/v1/media/upload?filename=HELD.JPG`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' },
  });
  let answered: number | undefined;
  upload.on('response', (response) => {
    answered = response.statusCode;
    response.resume();
  });
  upload.on('error', () => undefined); // abandoned on purpose
  const closed = new Promise<void>((done) => upload.once('close', done));
  upload.write(corruptJpeg().subarray(0, 20));
  const trickle = setInterval(() => upload.write(Buffer.alloc(16)), 1000);
  const release = async () => {
    clearInterval(trickle);
    upload.destroy();
    await closed;
  };
  try {
    await waitUntil('the server receiving the held upload', async () => {
      if (answered !== undefined) throw new Error(`The held upload was answered ${answered}`);
      return (await parts()).some((name) => !before.has(name));
    });
  } catch (error) {
    await release();
    throw error;
  }
  return release;
}

describe('timeline', () => {
  let server: TestServer | undefined;
  let api: ApiSession;
  const pages: SignedInPage[] = [];

  /** Named photos, newest first, with the month each was taken in on the camera's calendar. */
  let julyMid: Uploaded; // 20 July 2024
  let julyEarly: Uploaded; // 1 July 2024 00:30 at +09:00 (30 June in UTC)
  let juneLate: Uploaded; // 30 June 2024 23:30 at −04:00 (1 July in UTC)
  let newYearsEve: Uploaded; // 31 December 2023 22:00, no offset
  let clip: Uploaded; // a 3 s video, 20 May 2023
  let corrupt: Uploaded; // March 2022 (the upload's own date), its thumbnail failed
  /** 300 small photos, five a month from January 2015 to December 2019, oldest first. */
  const tiny: Uploaded[] = [];
  let total = 0;

  /** Every month of the library, newest first, as the timeline titles them. */
  const MONTHS = [
    'July 2024',
    'June 2024',
    'December 2023',
    'May 2023',
    'March 2022',
    ...Array.from({ length: 60 }, (_, index) => {
      const date = new Date(Date.UTC(2019, 11 - index, 1));
      return `${date.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${date.getUTCFullYear()}`;
    }),
  ];

  beforeAll(async () => {
    ({ server, owner: api } = await startServerWithOwner(OWNER));

    const upload = async (file: { path: string }, name: string, fields = {}) => ({
      id: (await api.upload(file.path, name, fields)).id,
      name,
    });
    const small = { width: 800, height: 600 };
    julyMid = await upload(
      await makePhoto({ takenAt: '2024:07:20 12:00:00', ...small, seed: 1 }),
      'July 20.JPG',
    );
    julyEarly = await upload(
      await makePhoto({ takenAt: '2024:07:01 00:30:00', offset: '+09:00', ...small, seed: 2 }),
      'July 1 Tokyo.JPG',
    );
    juneLate = await upload(
      await makePhoto({ takenAt: '2024:06:30 23:30:00', offset: '-04:00', width: 600, height: 800, seed: 3 }),
      'June 30 New York.JPG',
    );
    newYearsEve = await upload(
      await makePhoto({ takenAt: '2023:12:31 22:00:00', ...small, seed: 4 }),
      'New Year’s Eve.JPG',
    );
    clip = await upload(
      await makeVideo({ seconds: 3, takenAt: '2023-05-20T10:00:00Z', seed: 5 }),
      'Clip.MP4',
    );
    corrupt = {
      id: (await api.upload(corruptJpeg(), 'Broken.JPG', { createdAt: '2022-03-15T12:00:00Z' })).id,
      name: 'Broken.JPG',
    };

    const tinyFiles = await Promise.all(
      Array.from({ length: 300 }, (_, index) => {
        const month = Math.floor(index / 5);
        const year = 2015 + Math.floor(month / 12);
        const day = 1 + (index % 5) * 5;
        const takenAt = `${year}:${String((month % 12) + 1).padStart(2, '0')}:${String(day).padStart(2, '0')} 12:00:00`;
        return makePhoto({ takenAt, width: 64, height: 48, seed: 1000 + index });
      }),
    );
    // A few at a time: the uploads are tiny, the round trips are what takes the time.
    for (let start = 0; start < tinyFiles.length; start += 6) {
      const batch = tinyFiles.slice(start, start + 6);
      tiny.push(
        ...(await Promise.all(batch.map((file, offset) => upload(file, `Tiny ${start + offset}.JPG`)))),
      );
    }
    total = 6 + tiny.length;

    // Every thumbnail made (or given up on): one list call a poll rather than one per item.
    await waitUntil(
      'every thumbnail made or given up on',
      async () => {
        const { items } = await api.json<MediaList>('GET', '/api/v1/media/list?limit=500');
        return items.length === total && items.every((item) => item.thumbnail !== 'pending');
      },
      150_000,
    );
    const { items } = await api.json<MediaList>('GET', '/api/v1/media/list?limit=500');
    const states = new Map(items.map((item) => [item.id, item.thumbnail]));
    expect(states.get(corrupt.id)).toBe('failed');
    expect([...states].filter(([id, state]) => id !== corrupt.id && state !== 'ready')).toEqual([]);
  }, 240_000);

  afterAll(async () => {
    for (const { context } of pages) await context.close().catch(() => undefined);
    await server?.stop();
  });

  async function open(
    path: string,
    viewport: Viewport = DESKTOP,
    options: Parameters<typeof newSignedInPage>[4] = {},
  ): Promise<SignedInPage> {
    const signed = await newSignedInPage(browser, server!.origin, OWNER, viewport, options);
    pages.push(signed);
    await signed.page.goto(path);
    await signed.page.getByRole('region', { name: 'Photos by month' }).waitFor();
    return signed;
  }

  /** A jump puts the month's heading within this many pixels of the window's top (below the header). */
  const TOP_OF_SCREEN = 160;

  const tileOf = (page: Page, item: Uploaded) => page.locator(`a.tile-link[data-id="${item.id}"]`);

  /** The month headings drawn now, top to bottom. */
  const drawnHeadings = (page: Page) =>
    page.locator('section[data-month] h2').evaluateAll((headings) =>
      headings
        .map((heading) => ({ text: heading.textContent ?? '', top: heading.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((heading) => heading.text),
    );

  /**
   * Whether the month's heading is on screen (within its top `within` pixels) and not covered
   * (by the sticky header, say).
   */
  const headingShows = (page: Page, title: string, within = Infinity) =>
    page.evaluate(
      ([title, within]) => {
        const heading = [...document.querySelectorAll('section[data-month] h2')].find(
          (candidate) => candidate.textContent === title,
        );
        if (!heading) return false;
        const box = heading.getBoundingClientRect();
        if (box.top < 0 || box.bottom > Math.min(window.innerHeight, within)) return false;
        const hit = document.elementFromPoint(
          box.left + Math.min(10, box.width / 2),
          box.top + box.height / 2,
        );
        return !!hit && heading.contains(hit);
      },
      [title, within] as const,
    );

  /** How many of the month's tiles show a loaded thumbnail on screen. */
  const loadedTilesOnScreen = (page: Page, key: string) =>
    page.evaluate((key) => {
      const images = document.querySelectorAll<HTMLImageElement>(
        `section[data-month="${key}"] a.tile-link img`,
      );
      return [...images].filter((image) => {
        const box = image.getBoundingClientRect();
        return image.complete && image.naturalWidth > 0 && box.bottom > 0 && box.top < window.innerHeight;
      }).length;
    }, key);

  it('shows the months newest first, each photo under the month it was taken on the camera’s calendar', async () => {
    // A browser far from every camera's zone: the months must not follow it.
    const { page, errors } = await open('/photos', DESKTOP, {
      context: { timezoneId: 'Pacific/Kiritimati' },
    });
    const jump = page.getByRole('combobox', { name: 'Jump to month' });
    await eventually(async () => (await jump.locator('option').allInnerTexts()).slice(1)).toEqual(MONTHS);
    await eventually(async () => (await drawnHeadings(page)).slice(0, 5)).toEqual(MONTHS.slice(0, 5));

    const expected: Array<[Uploaded, string]> = [
      [julyMid, 'July 2024'],
      [julyEarly, 'July 2024'],
      [juneLate, 'June 2024'],
      [newYearsEve, 'December 2023'],
      [clip, 'May 2023'],
      [corrupt, 'March 2022'],
    ];
    for (const [item, month] of expected) {
      await page.getByRole('list', { name: month, exact: true }).locator(`[data-id="${item.id}"]`).waitFor();
      expect(await tileOf(page, item).count()).toBe(1);
    }
    // Newest first within a month too, and the header counts them.
    const july = page.locator('section[data-month="2024-07"]');
    expect(
      await july.locator('a.tile-link').evaluateAll((links) => links.map((link) => link.dataset.id)),
    ).toEqual([julyMid.id, julyEarly.id]);
    expect(await july.locator('.count').innerText()).toBe('2 items');
    expect(await page.locator('section[data-month="2024-06"] .count').innerText()).toBe('1 item');
    await expectNoSeriousA11yViolations(page, 'the timeline (desktop, light)');
    await screenshot(page, 'timeline-months-desktop');
    expect(errors).toEqual([]);
  });

  it('a video tile shows its length; a thumbnail that failed shows an icon and the name, not a broken image', async () => {
    const { page, errors } = await open('/photos');
    const video = tileOf(page, clip);
    await video.waitFor();
    expect(await video.getAttribute('aria-label')).toBe(`Video ${clip.name}, 0:03`);
    expect(await video.locator('.badge.duration').innerText()).toBe('0:03');
    await page.waitForFunction((id) => {
      const image = document.querySelector<HTMLImageElement>(`a.tile-link[data-id="${id}"] img`);
      return !!image && image.complete && image.naturalWidth > 0;
    }, clip.id);

    const broken = tileOf(page, corrupt);
    await broken.scrollIntoViewIfNeeded();
    const placeholder = broken.locator('.placeholder.failed');
    expect(await placeholder.isVisible()).toBe(true);
    expect(await placeholder.locator('svg').count()).toBe(1);
    expect(await placeholder.innerText()).toContain(corrupt.name);
    expect(await broken.locator('img').count()).toBe(0);
    // No picture on the page failed to load.
    await eventually(() =>
      page.evaluate(() =>
        [...document.querySelectorAll<HTMLImageElement>('.grid img')]
          .filter((image) => {
            const box = image.getBoundingClientRect();
            return box.bottom > 0 && box.top < window.innerHeight;
          })
          .every((image) => image.complete && image.naturalWidth > 0),
      ),
    ).toBe(true);
    await screenshot(page, 'timeline-failed-thumbnail-desktop');
    expect(errors).toEqual([]);
  });

  it('the year rail and Jump to… bring an older month to the top of the screen with its photos', async () => {
    const { page, errors } = await open('/photos');
    const rail = page.getByRole('navigation', { name: 'Years' });
    await eventually(() => rail.getByRole('button').allInnerTexts()).toEqual([
      '2024',
      '2023',
      '2022',
      '2019',
      '2018',
      '2017',
      '2016',
      '2015',
    ]);
    await tileOf(page, julyMid).waitFor();

    await rail.getByRole('button', { name: '2015' }).click();
    await eventually(() => headingShows(page, 'December 2015', TOP_OF_SCREEN)).toBe(true);
    await eventually(() => loadedTilesOnScreen(page, '2015-12')).toBe(5);
    expect(await headingShows(page, 'July 2024')).toBe(false);
    await screenshot(page, 'timeline-jump-year-desktop');

    await page.getByRole('combobox', { name: 'Jump to month' }).selectOption({ label: 'March 2017' });
    await eventually(() => headingShows(page, 'March 2017', TOP_OF_SCREEN)).toBe(true);
    await eventually(() => loadedTilesOnScreen(page, '2017-03')).toBe(5);
    expect(await headingShows(page, 'December 2015')).toBe(false);
    expect(errors).toEqual([]);
  });

  it('draws only the tiles near the screen, and scrolling down reaches the oldest photo', async () => {
    const { page, errors } = await open('/photos');
    await tileOf(page, julyMid).waitFor();
    const seen = new Set<string>();
    let most = 0;
    for (let step = 0; ; step += 1) {
      expect(step).toBeLessThan(200);
      // What is on screen is drawn and loaded: months cover the middle, none still loading there.
      await page.waitForFunction(() => {
        const onScreen = (element: Element) => {
          const box = element.getBoundingClientRect();
          return box.bottom > 0 && box.top < window.innerHeight;
        };
        const middle = window.innerHeight / 2;
        const covered = [...document.querySelectorAll('section[data-month]')].some((section) => {
          const box = section.getBoundingClientRect();
          return box.top <= middle && box.bottom >= middle;
        });
        const atEnd = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2;
        return (covered || atEnd) && ![...document.querySelectorAll('.loading-rows')].some(onScreen);
      });
      const ids = await page
        .locator('a.tile-link')
        .evaluateAll((links) => links.map((link) => (link as HTMLElement).dataset.id ?? ''));
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.length).toBeLessThan(total);
      most = Math.max(most, ids.length);
      for (const id of ids) seen.add(id);
      const moved = await page.evaluate(() => {
        const before = window.scrollY;
        window.scrollBy(0, window.innerHeight * 0.9);
        return window.scrollY !== before;
      });
      if (!moved) break;
    }
    const oldest = tiny[0]!;
    await eventually(() =>
      page.evaluate(() => {
        window.scrollTo(0, document.documentElement.scrollHeight);
        return [...document.querySelectorAll('section[data-month]')].at(-1)?.getAttribute('data-month');
      }),
    ).toBe('2015-01');
    await tileOf(page, oldest).waitFor();
    expect(await tileOf(page, oldest).isVisible()).toBe(true);
    expect(await headingShows(page, 'January 2015')).toBe(true);
    expect(await page.locator('a.tile-link').count()).toBeLessThan(total);
    // Every photo was drawn on the way down, never all at once.
    expect(seen.size).toBe(total);
    expect(most).toBeLessThan(total / 2);
    await screenshot(page, 'timeline-oldest-desktop');
    expect(errors).toEqual([]);
  });

  it('a link to a photo opens the viewer on it, also after a reload; back and forward move between Photos and Albums', async () => {
    const { page, errors } = await open(`/photos/${newYearsEve.id}`);
    await page.getByRole('dialog', { name: newYearsEve.name }).waitFor();
    await page.reload();
    await page.getByRole('dialog', { name: newYearsEve.name }).waitFor();
    await page.waitForFunction(() => {
      const image = document.querySelector<HTMLImageElement>('dialog.viewer img.photo');
      return !!image && image.complete && image.naturalWidth > 0;
    });
    expect(pathOf(page)).toBe(`/photos/${newYearsEve.id}`);
    await page.keyboard.press('Escape');
    await page.waitForURL('**/photos');
    await eventually(() => page.locator('dialog.viewer').count()).toBe(0);

    const nav = page.getByRole('navigation', { name: 'Library' });
    await nav.getByRole('link', { name: 'Albums' }).click();
    await page.getByRole('heading', { name: 'Albums', level: 1 }).waitFor();
    expect(pathOf(page)).toBe('/albums');
    expect(await nav.getByRole('link', { name: 'Albums' }).getAttribute('aria-current')).toBe('page');

    await page.goBack();
    await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
    expect(pathOf(page)).toBe('/photos');
    await tileOf(page, julyMid).waitFor();
    expect(await nav.getByRole('link', { name: 'Photos' }).getAttribute('aria-current')).toBe('page');

    await page.goForward();
    await page.getByRole('heading', { name: 'Albums', level: 1 }).waitFor();
    expect(pathOf(page)).toBe('/albums');

    // A photo opened from the grid is one history entry too.
    await page.goBack();
    await tileOf(page, julyEarly).click();
    await page.getByRole('dialog', { name: julyEarly.name }).waitFor();
    await page.goBack();
    await eventually(() => page.locator('dialog.viewer').count()).toBe(0);
    expect(pathOf(page)).toBe('/photos');
    await page.goForward();
    await page.getByRole('dialog', { name: julyEarly.name }).waitFor();
    expect(pathOf(page)).toBe(`/photos/${julyEarly.id}`);
    expect(errors).toEqual([]);
  });

  it('Tab reaches a tile, with a visible focus ring, and Enter opens it', async () => {
    const { page, errors } = await open('/photos');
    await tileOf(page, julyMid).waitFor();
    let focused: string | undefined;
    for (let presses = 0; presses < 40 && focused === undefined; presses += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(
        () =>
          (document.activeElement as HTMLElement | null)?.closest('a.tile-link')?.getAttribute('data-id') ??
          undefined,
      );
    }
    expect(focused).toBe(julyMid.id);
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).not.toBe(
      'none',
    );
    await screenshot(page, 'timeline-keyboard-focus-desktop');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: julyMid.name }).waitFor();
    expect(pathOf(page)).toBe(`/photos/${julyMid.id}`);
    expect(errors).toEqual([]);
  });

  it('dark mode draws the timeline on a dark background (light mode on a light one), with no serious axe violations', async () => {
    const light = await open('/photos');
    await tileOf(light.page, julyMid).waitFor();
    const lightBackground = await light.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(luminance(lightBackground)).toBeGreaterThan(0.8);

    const dark = await open('/photos', DESKTOP, { colorScheme: 'dark' });
    await tileOf(dark.page, julyMid).waitFor();
    const colors = await dark.page.evaluate(() => ({
      body: getComputedStyle(document.body).backgroundColor,
      text: getComputedStyle(document.body).color,
      heading: getComputedStyle(document.querySelector('section[data-month] h2')!).color,
    }));
    expect(luminance(colors.body)).toBeLessThan(0.05);
    expect(luminance(colors.text)).toBeGreaterThan(0.6);
    expect(luminance(colors.heading)).toBeGreaterThan(0.6);
    await eventually(() => loadedTilesOnScreen(dark.page, '2024-07')).toBe(2);
    await expectNoSeriousA11yViolations(dark.page, 'the timeline (desktop, dark)');
    await screenshot(dark.page, 'timeline-dark-desktop');
    expect(light.errors).toEqual([]);
    expect(dark.errors).toEqual([]);
  });

  it('on a phone the months fit the screen, Jump to… stands in for the year rail, and axe finds nothing serious', async () => {
    const { page, errors } = await open('/photos', PHONE);
    await tileOf(page, julyMid).waitFor();
    await eventually(async () => (await drawnHeadings(page)).slice(0, 5)).toEqual(MONTHS.slice(0, 5));
    expect(await fitsTheWidth(page)).toBe(true);
    const boxes = await page
      .locator('a.tile-link')
      .evaluateAll((links) => links.map((link) => link.getBoundingClientRect().right));
    expect(Math.max(...boxes)).toBeLessThanOrEqual(PHONE.width);
    expect(await page.getByRole('navigation', { name: 'Years' }).isVisible()).toBe(false);
    const jump = page.getByRole('combobox', { name: 'Jump to month' });
    expect(await jump.isVisible()).toBe(true);
    await eventually(() => loadedTilesOnScreen(page, '2024-07')).toBe(2);
    await expectNoSeriousA11yViolations(page, 'the timeline (phone)');
    await screenshot(page, 'timeline-phone');

    await jump.selectOption({ label: 'August 2018' });
    await eventually(() => headingShows(page, 'August 2018', TOP_OF_SCREEN)).toBe(true);
    await eventually(() => loadedTilesOnScreen(page, '2018-08')).toBe(5);
    await screenshot(page, 'timeline-jump-phone');
    expect(errors).toEqual([]);
  });

  // Last: it adds a photo to July 2024.
  it('a thumbnail still being made shows a placeholder, then the picture once it is ready', async () => {
    const release = await holdAnUploadOpen(server!, api.token);
    let pending: Uploaded;
    try {
      const file = await makePhoto({ takenAt: '2024:07:28 12:00:00', width: 800, height: 600, seed: 6 });
      pending = { id: (await api.upload(file.path, 'Still coming.JPG')).id, name: 'Still coming.JPG' };
      expect((await api.json<MediaDetail>('GET', `/api/v1/media/${pending.id}`)).thumbnail).toBe('pending');

      const { page, errors } = await open('/photos');
      const tile = tileOf(page, pending);
      await tile.waitFor();
      expect(await tile.locator('.placeholder.pending').isVisible()).toBe(true);
      expect(await tile.locator('img').count()).toBe(0);
      expect((await api.json<MediaDetail>('GET', `/api/v1/media/${pending.id}`)).thumbnail).toBe('pending');
      await screenshot(page, 'timeline-pending-thumbnail-desktop');

      await release();
      // The page looks again by itself while a thumbnail is pending: no reload.
      await page.waitForFunction(
        (id) => {
          const image = document.querySelector<HTMLImageElement>(`a.tile-link[data-id="${id}"] img`);
          return !!image && image.complete && image.naturalWidth > 0;
        },
        pending.id,
        { timeout: 45_000 },
      );
      expect(await tile.locator('.placeholder').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await release();
    }
  });
});
