// Storage and server: the disk bar, the library by person, type and device, cleanup, the thumbnail
// queue and the server's details, each checked against the API; what a member sees; and the
// low-space warning of a server whose ICLOOD_MIN_FREE_BYTES is more than any disk holds.
import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MediaDetail, SystemStatus, SystemStorage, TrashList } from '@iclood/api-types';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes } from '../../src/lib/format.js';
import { itemCount } from '../../src/lib/household-roles.js';
import {
  DESKTOP,
  PHONE,
  apiSession,
  expectNoSeriousA11yViolations,
  makePhoto,
  makeVideo,
  screenshot,
  type ApiSession,
  type TestServer,
  type Viewport,
  useHousehold,
  startServerWithOwner,
} from './harness.js';

const OWNER = { username: 'anna', password: 'correct horse battery' };
const BEN = { username: 'ben', password: 'ben password 1', displayName: 'Ben' };

let ben: ApiSession;
const ids = { big: '', video: '', corrupt: '', spare: '', bens: '' };

const household = useHousehold({
  owner: OWNER,
  members: [BEN],
  server: { env: { ICLOOD_TRASH_DAYS: '0' } },
});

beforeAll(async () => {
  ben = await apiSession(household.origin, BEN.username, BEN.password);

  const big = await makePhoto({ seed: 11, takenAt: '2024:07:01 09:00:00' });
  expect(big.size).toBeGreaterThan(3_000_000);
  ids.big = (await household.owner.upload(big.path, 'IMG_0011.JPG')).id;
  const video = await makeVideo({ seconds: 2, takenAt: '2024-07-02T10:00:00Z' });
  ids.video = (await household.owner.upload(video.path, 'CLIP_0012.MP4')).id;
  const spare = await makePhoto({ seed: 13, width: 1000, height: 750 });
  ids.spare = (await household.owner.upload(spare.path, 'IMG_0013.JPG')).id;
  const bens = await makePhoto({ seed: 14, width: 900, height: 600 });
  ids.bens = (await ben.upload(bens.path, 'IMG_0014.JPG')).id;
  // JPEG's magic bytes, then nothing a decoder can use: its thumbnail fails.
  const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(20_000, 0x5a)]);
  ids.corrupt = (await household.owner.upload(corrupt, 'IMG_0015.JPG')).id;

  await household.owner.waitForThumbnails([ids.big, ids.video, ids.spare]);
  await ben.waitForThumbnails([ids.bens]);
  const deadline = Date.now() + 30_000;
  while (
    (await household.owner.json<MediaDetail>('GET', `/api/v1/media/${ids.corrupt}`)).thumbnail !== 'failed'
  ) {
    if (Date.now() > deadline) throw new Error('The corrupt JPEG’s thumbnail did not fail within 30 s');
    await new Promise((wake) => setTimeout(wake, 100));
  }
});

async function openStorage(
  credentials = OWNER,
  viewport: Viewport = DESKTOP,
  path = '/storage',
  origin?: string,
) {
  const signedIn = await household.signedInPage(credentials, viewport, { origin });
  await signedIn.page.goto(path);
  await signedIn.page.getByRole('heading', { name: 'Storage and server', level: 1 }).waitFor();
  await signedIn.page.locator('.legend').waitFor();
  return signedIn;
}

const legend = (page: Page, part: string) => page.locator(`.legend li[data-part="${part}"]`).innerText();
/** The <dd> next to the <dt> named `term` in the list labelled `list`. */
async function figure(page: Page, list: string, term: string): Promise<string | undefined> {
  const pairs = await page
    .locator(`dl[aria-labelledby="${list}"] dt`)
    .evaluateAll((terms) =>
      terms.map((dt) => [
        (dt as HTMLElement).innerText.trim(),
        (dt.nextElementSibling as HTMLElement).innerText.trim(),
      ]),
    );
  return new Map(pairs as Array<[string, string]>).get(term);
}

const UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9 };
/** "5.2 MB" → 5_200_000 (as formatBytes rounds it). */
const bytesOf = (text: string) => Number(text.split(' ')[0]) * UNITS[text.split(' ')[1]!]!;

describe('storage and server, as the owner', () => {
  it('shows the disk, the library by person, type and device, and the server, as the API reports them', async () => {
    const { page, context, errors } = await openStorage();
    const report = await household.owner.json<SystemStorage>('GET', '/api/v1/system/storage');
    const status = await household.owner.json<SystemStatus>('GET', '/api/v1/system/status');
    expect(report.library.items).toBe(5);

    expect(await legend(page, 'library')).toContain(formatBytes(report.library.bytes));
    expect(await legend(page, 'thumbnails')).toContain(formatBytes(report.thumbnails!.bytes));
    expect(await legend(page, 'trash')).toContain('0 B');
    expect(await legend(page, 'free')).toMatch(/Free\s+\d/);
    expect(await legend(page, 'others')).toMatch(/Other files\s+\d/);
    await page.getByRole('img', { name: /^Disk: .* free of / }).waitFor();
    expect(await page.locator('.library-total').innerText()).toBe(
      `${itemCount(report.library.items)}, ${formatBytes(report.library.bytes)}.`,
    );

    const photos = report.library.byType.find((entry) => entry.type === 'photo')!;
    const videos = report.library.byType.find((entry) => entry.type === 'video')!;
    expect(photos.items).toBe(4);
    expect(videos.items).toBe(1);
    expect(await figure(page, 'by-type', 'Photos')).toBe(`4 photos, ${formatBytes(photos.bytes)}`);
    expect(await figure(page, 'by-type', 'Videos')).toBe(`1 video, ${formatBytes(videos.bytes)}`);
    for (const person of report.library.byUser) {
      expect(await figure(page, 'by-person', person.username)).toBe(
        `${itemCount(person.items)}, ${formatBytes(person.bytes)}`,
      );
    }
    const annaUsage = report.library.byUser.find((entry) => entry.username === 'anna')!;
    expect(annaUsage.items).toBe(4);
    expect(await figure(page, 'by-device', 'Uploaded without a device · anna')).toBe(
      `${itemCount(4)}, ${formatBytes(annaUsage.bytes)}`,
    );

    const server_ = page.getByRole('region', { name: 'Server', exact: true });
    const details = await server_.innerText();
    expect(details).toContain(`Version\niClood ${status.version}`);
    expect(details).toMatch(/Database\nEmbedded \(PGlite\) · healthy/);
    expect(details).toContain('HTTPS\nOff');
    expect(details).toContain('LAN discovery\nOff');
    expect(details).toMatch(/Uptime\n\d+ (s|min)/);
    expect(details).toContain(`Library folder\n${household.server.libraryDir}`);
    await expectNoSeriousA11yViolations(page, 'storage');
    await screenshot(page, 'storage-desktop', { fullPage: true });

    // The old address shows the same page.
    await page.goto('/status');
    await page.getByRole('heading', { name: 'Storage and server', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Server', exact: true }).getByText('LAN discovery').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the failed thumbnail and retries it', async () => {
    const { page, context, errors } = await openStorage();
    const jobs = page.getByRole('region', { name: 'Thumbnails', exact: true });
    expect(await jobs.locator('[data-job="failed"]').innerText()).toBe('1');
    await jobs.getByRole('button', { name: 'Retry failed' }).click();
    await jobs.getByRole('status').filter({ hasText: '1 thumbnail queued again.' }).waitFor();
    // The file is still broken: it runs again and fails again.
    await expect
      .poll(async () => (await household.owner.json<SystemStatus>('GET', '/api/v1/system/status')).jobs, {
        timeout: 30_000,
      })
      .toMatchObject({ pending: 0, running: 0, failed: 1 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('cleans up on request: says what it will do first, then what it freed', async () => {
    await household.owner.json('POST', '/api/v1/media/batch/delete', { ids: [ids.spare] });
    const trash = await household.owner.json<TrashList>('GET', '/api/v1/trash');
    const spareBytes = trash.items.find((item) => item.id === ids.spare)!.size;
    const thumbnailBytes = (await household.owner.json<SystemStorage>('GET', '/api/v1/system/storage'))
      .thumbnails!.bytes;

    const { page, context, errors } = await openStorage(OWNER, PHONE);
    expect(await legend(page, 'trash')).toContain(formatBytes(spareBytes));
    expect(await page.getByRole('heading', { name: /running out of space/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Clean up…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Clean up storage' });
    await dialog.getByText(`the trash holds 1 photo or video, ${formatBytes(spareBytes)}`).waitFor();
    await dialog.getByText('uploads that were left unfinished for over an hour').waitFor();
    await dialog.getByText('thumbnails of items that no longer exist').waitFor();
    await expectNoSeriousA11yViolations(page, 'storage, cleanup dialog, phone');
    await dialog.getByRole('button', { name: 'Clean up now' }).click();
    // What the purge freed is the original and its thumbnails.
    const freed = /^Freed ([\d.]+ [KMG]?B): 1 item from the trash \(([\d.]+ [KMG]?B)\)\.$/;
    const said = await dialog.getByRole('status').filter({ hasText: freed }).innerText();
    const [, total, fromTrash] = freed.exec(said)!;
    expect(total).toBe(fromTrash);
    expect(bytesOf(total!)).toBeGreaterThanOrEqual(bytesOf(formatBytes(spareBytes)));
    expect(bytesOf(total!)).toBeLessThanOrEqual(bytesOf(formatBytes(spareBytes + thumbnailBytes)));
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('status').filter({ hasText: said }).waitFor();
    await expect.poll(() => legend(page, 'trash')).toContain('0 B');

    expect((await household.owner.json<TrashList>('GET', '/api/v1/trash')).items).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await expectNoSeriousA11yViolations(page, 'storage, phone');
    await screenshot(page, 'storage-phone', { fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('storage and server, as a member', () => {
  it('shows only their own usage: no other people, no folders, no server actions', async () => {
    const { page, context, errors } = await openStorage(BEN, PHONE);
    const report = await ben.json<SystemStorage>('GET', '/api/v1/system/storage');
    expect(report.scope).toBe('user');
    const status = await ben.json<SystemStatus>('GET', '/api/v1/system/status');
    expect([status.dataDir, status.libraryDir]).toEqual([null, null]);
    await page.getByRole('heading', { name: 'Your library' }).waitFor();
    expect(await page.locator('.library-total').innerText()).toBe(
      `${itemCount(1)}, ${formatBytes(report.library.bytes)}.`,
    );
    expect(await legend(page, 'library')).toContain(formatBytes(report.library.bytes));
    expect(await page.locator('.legend li[data-part="thumbnails"]').count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'By person' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Clean up|Retry failed/ }).count()).toBe(0);
    const text = await page.locator('main').innerText();
    expect(text).not.toContain('anna');
    expect(text).not.toContain(household.server.libraryDir);
    expect(text).not.toContain(household.server.dataDir);
    expect(text).not.toMatch(/Data folder|Library folder/);
    await expectNoSeriousA11yViolations(page, 'storage, member, phone');
    await screenshot(page, 'storage-member-phone', { fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('storage, low on space', () => {
  let low: TestServer;

  beforeAll(async () => {
    // More than any disk holds, so the warning fires (and uploads are refused).
    ({ server: low } = await startServerWithOwner(OWNER, {
      env: { ICLOOD_MIN_FREE_BYTES: String(2 ** 52) },
    }));
  });
  afterAll(async () => {
    await low?.stop();
  });

  it('warns, offers Clean up, and reports what it freed (an upload abandoned two hours ago)', async () => {
    const tmp = join(low.libraryDir, '.tmp');
    await mkdir(tmp, { recursive: true });
    const abandoned = join(tmp, 'abandoned-upload.part');
    await writeFile(abandoned, Buffer.alloc(2_500_000, 1));
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(abandoned, twoHoursAgo, twoHoursAgo);

    const { page, context, errors } = await openStorage(OWNER, DESKTOP, '/storage', low.origin);
    const warning = page.getByRole('region', { name: "The library's disk is running out of space" });
    await warning.getByText(/uploads are refused until space is made/).waitFor();
    await expectNoSeriousA11yViolations(page, 'storage, low space');
    await screenshot(page, 'storage-low-space', { fullPage: true });

    await warning.getByRole('button', { name: 'Clean up…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Clean up storage' });
    await dialog
      .getByText('The server cannot tell beforehand how much this frees; it says afterwards.')
      .waitFor();
    await dialog.getByRole('button', { name: 'Clean up now' }).click();
    await dialog
      .getByRole('status')
      .filter({
        hasText: `Freed ${formatBytes(2_500_000)}: 1 unfinished upload (${formatBytes(2_500_000)}).`,
      })
      .waitFor();
    expect(existsSync(abandoned)).toBe(false);

    // Nothing more to free the second time, and it says so.
    await dialog.getByRole('button', { name: 'Done' }).click();
    await warning.getByRole('button', { name: 'Clean up…' }).click();
    await dialog.getByRole('button', { name: 'Clean up now' }).click();
    await dialog
      .getByRole('status')
      .filter({ hasText: 'Nothing needed cleaning up: no space was freed.' })
      .waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
