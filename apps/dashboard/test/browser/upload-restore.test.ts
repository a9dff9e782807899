// Upload from the browser (file picker, a drop on the window, duplicates, unsupported files,
// cancel) and the restore dialog (a date range or an album, counted first, then a ZIP download),
// in Chromium against the built server.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MediaList } from '@iclood/api-types';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import {
  DESKTOP,
  PHONE,
  expectNoSeriousA11yViolations,
  makePhoto,
  makeVideo,
  screenshot,
  type FixtureFile,
  type Viewport,
  useHousehold,
} from './harness.js';

const run = promisify(execFile);
// Each test makes real photos and moves megabytes through a real server and browser.
const SLOW = 180_000;
const OWNER = { username: 'anna', password: 'correct horse battery' };

let seed = 100;

const household = useHousehold({ owner: OWNER, server: { startTimeoutMs: 180_000 } });

/** A new photo (its own pixels) taken on `day` at noon. */
const photoTaken = (day: string) => makePhoto({ takenAt: `${day} 12:00:00`, seed: ++seed });

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every item of the library, newest first. */
async function libraryItems() {
  const { items } = await household.owner.json<MediaList>('GET', '/api/v1/media/list?limit=500');
  return items;
}

/** The restore archive the browser downloaded: each file's name and SHA-256, read by Info-ZIP's unzip. */
async function unzipDownload(path: string): Promise<Map<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'iclood-restore-'));
  try {
    const { stdout } = await run('unzip', ['-t', path]);
    expect(stdout).toContain('No errors detected');
    await run('unzip', ['-q', path, '-d', dir]);
    const files = new Map<string, string>();
    for (const name of await readdir(dir)) files.set(name, await sha256File(join(dir, name)));
    return files;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function openUploads(page: Page): Promise<Locator> {
  await page.goto('/photos');
  await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Uploads' });
  await panel.waitFor();
  return panel;
}

/** A fixture as the file picker hands it over, under its camera name (the fixture's path is not). */
const asChosen = async (file: FixtureFile, mimeType: string) => ({
  name: file.name,
  mimeType,
  buffer: await readFile(file.path),
});

const entryOf = (panel: Locator, name: string) => panel.getByRole('listitem').filter({ hasText: name });
const progressValue = (progress: Locator) =>
  progress.evaluate((element) => (element as HTMLProgressElement).value);

/** Waits until the file's entry says `state` (its visible words). */
async function expectEntryState(panel: Locator, name: string, state: string | RegExp): Promise<void> {
  await entryOf(panel, name).getByText(state).waitFor({ timeout: 30_000 });
}

/** The console errors a test expects: the browser logs each refused upload as a failed load. */
const unexpectedErrors = (errors: string[]) =>
  errors.filter((line) => !/status of 415 \(Unsupported Media Type\)/.test(line));

describe('upload from the browser', () => {
  const viewports: Array<[string, Viewport, { photos: [string, string, string, string]; video: string }]> = [
    [
      'desktop',
      DESKTOP,
      { photos: ['2024-05-04', 'May 2024', '2023-11-20', 'November 2023'], video: '2024-02-10T09:00:00Z' },
    ],
    [
      'phone',
      PHONE,
      { photos: ['2025-03-08', 'March 2025', '2024-12-24', 'December 2024'], video: '2025-01-15T09:00:00Z' },
    ],
  ];

  for (const [label, viewport, dates] of viewports) {
    test(
      `${label}: two photos and a video chosen with the file picker upload with progress and show under their months without a reload`,
      async () => {
        const [firstDay, firstMonth, secondDay, secondMonth] = dates.photos;
        const first = await photoTaken(firstDay);
        const second = await photoTaken(secondDay);
        const video = await makeVideo({ seconds: 3, takenAt: dates.video, seed: ++seed });
        const before = await libraryItems();
        const { page, errors } = await household.signedInPage(OWNER, viewport);

        const panel = await openUploads(page);
        await expectNoSeriousA11yViolations(page, `the empty upload panel (${label})`);
        const chooser = panel.getByRole('button', { name: /Choose photos and videos/ });
        await chooser.waitFor();
        await page
          .locator('input[type=file]')
          .setInputFiles([
            await asChosen(first, 'image/jpeg'),
            await asChosen(second, 'image/jpeg'),
            await asChosen(video, 'video/mp4'),
          ]);

        for (const file of [first, second, video]) await expectEntryState(panel, file.name, 'Added');
        await panel.getByText('3 added').waitFor();
        for (const file of [first, second, video]) {
          expect(await progressValue(entryOf(panel, file.name).locator('progress'))).toBe(100);
          await entryOf(panel, file.name).getByText('100%').waitFor();
        }
        expect(await progressValue(panel.getByRole('progressbar', { name: 'All uploads' }))).toBe(100);

        // On the server: three new items, byte for byte the files chosen.
        const after = await libraryItems();
        const added = after.filter((item) => !before.some((old) => old.id === item.id));
        expect(added.map((item) => item.name).sort()).toEqual([first.name, second.name, video.name].sort());
        for (const file of [first, second, video]) {
          const item = added.find((one) => one.name === file.name)!;
          expect(item.size).toBe(file.size);
          const original = await household.owner.fetch(`/api/v1/media/${item.id}/original`);
          const hash = createHash('sha256')
            .update(Buffer.from(await original.arrayBuffer()))
            .digest('hex');
          expect(hash).toBe(await sha256File(file.path));
        }

        // The timeline behind the panel shows them under their months, without a reload.
        for (const month of [firstMonth, secondMonth]) {
          await page.getByRole('heading', { name: month }).waitFor({ timeout: 15_000 });
        }
        for (const file of [first, second]) {
          const id = added.find((item) => item.name === file.name)!.id;
          await page.locator(`a[href="/photos/${id}"]`).waitFor({ timeout: 15_000 });
        }

        await expectNoSeriousA11yViolations(page, `the upload panel with finished files (${label})`);
        await screenshot(page, `upload-picker-${label}`);
        expect(unexpectedErrors(errors)).toEqual([]);
        await page.context().close();
      },
      SLOW,
    );
  }

  test(
    'the same photo again is already in your library, and a text file is not a photo or video',
    async () => {
      const photo = await photoTaken('2022-06-15');
      await household.owner.upload(photo.path, photo.name);
      const before = await libraryItems();
      const { page, errors } = await household.signedInPage(OWNER, DESKTOP);
      const panel = await openUploads(page);

      await page
        .locator('input[type=file]')
        .setInputFiles([
          await asChosen(photo, 'image/jpeg'),
          { name: 'shopping-list.txt', mimeType: 'text/plain', buffer: Buffer.from('milk, eggs, bread\n') },
        ]);
      await expectEntryState(panel, photo.name, 'Already in your library');
      await expectEntryState(panel, 'shopping-list.txt', 'Not a photo or video');
      await panel.getByText('1 already backed up, 1 not supported').waitFor();

      expect((await libraryItems()).map((item) => item.id)).toEqual(before.map((item) => item.id));
      await expectNoSeriousA11yViolations(page, 'the upload panel with a duplicate and a refused file');
      await screenshot(page, 'upload-duplicate-unsupported');
      // The one failed load the console shows is the refused text file.
      expect(errors.filter((line) => /415/.test(line))).toHaveLength(1);
      expect(unexpectedErrors(errors)).toEqual([]);
      await page.context().close();
    },
    SLOW,
  );

  test(
    'a photo dropped anywhere on the window uploads; dragging text shows no drop target',
    async () => {
      const photo = await photoTaken('2021-09-09');
      const bytes = await readFile(photo.path);
      const { page, errors } = await household.signedInPage(OWNER, PHONE);
      await page.goto('/photos');
      await page.getByRole('heading', { name: 'Photos', level: 1 }).waitFor();
      const overlay = page.getByText('Drop photos and videos to back them up');

      // Text dragged about the page is not an upload.
      const text = await page.evaluateHandle(() => {
        const transfer = new DataTransfer();
        transfer.setData('text/plain', 'hello');
        return transfer;
      });
      await page.dispatchEvent('main', 'dragenter', { dataTransfer: text });
      await page.dispatchEvent('main', 'dragover', { dataTransfer: text });
      expect(await overlay.count()).toBe(0);
      await page.dispatchEvent('main', 'dragleave', { dataTransfer: text });

      // A file from outside: the overlay shows while it is held over the window, the drop uploads it.
      // The file is made in the page from the photo's bytes (sent as base64: a JSON array of 3 MB of
      // numbers would take longer than the upload).
      const files = await page.evaluateHandle(
        ({ name, base64 }) => {
          const binary = atob(base64);
          const data = new Uint8Array(binary.length);
          for (let index = 0; index < binary.length; index += 1) data[index] = binary.charCodeAt(index);
          const transfer = new DataTransfer();
          transfer.items.add(new File([data], name, { type: 'image/jpeg', lastModified: Date.now() }));
          return transfer;
        },
        { name: photo.name, base64: bytes.toString('base64') },
      );
      await page.dispatchEvent('main', 'dragenter', { dataTransfer: files });
      await page.dispatchEvent('main', 'dragover', { dataTransfer: files });
      await overlay.waitFor();
      await screenshot(page, 'upload-drop-overlay-phone');
      await page.dispatchEvent('main', 'drop', { dataTransfer: files });
      await overlay.waitFor({ state: 'detached' });

      const panel = page.getByRole('region', { name: 'Uploads' });
      await expectEntryState(panel, photo.name, 'Added');
      const stored = (await libraryItems()).find((item) => item.name === photo.name);
      expect(stored?.size).toBe(photo.size);
      await page.getByRole('heading', { name: 'September 2021' }).waitFor({ timeout: 15_000 });

      await expectNoSeriousA11yViolations(page, 'the upload panel as a bottom sheet (phone)');
      await screenshot(page, 'upload-dropped-phone');
      expect(unexpectedErrors(errors)).toEqual([]);
      await page.context().close();
    },
    SLOW,
  );

  test(
    'cancelling a slow upload stops it: the item shows cancelled, the server keeps no item and no temp file',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'iclood-big-'));
      const big = join(dir, 'IMG_9999.MOV');
      // 200 MB without writing 200 MB: a sparse file; the throttled network never sends much of it.
      const handle = await open(big, 'w');
      await handle.truncate(200 * 1000 * 1000);
      await handle.close();
      const tempDir = join(household.server.libraryDir, '.tmp');
      // A file this large goes as a resumable upload, whose bytes wait in .tmp/resumable; a raw
      // upload's wait in .tmp/*.part. Either counts.
      const partFiles = async () => [
        ...(await readdir(tempDir).catch(() => [])).filter((name) => name.endsWith('.part')),
        ...(await readdir(join(tempDir, 'resumable')).catch(() => [])),
      ];

      try {
        const before = await libraryItems();
        const { page, context, errors } = await household.signedInPage(OWNER, DESKTOP);
        const cdp = await context.newCDPSession(page);
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: 0,
          downloadThroughput: -1,
          uploadThroughput: 512 * 1024,
        });
        const panel = await openUploads(page);
        await page.locator('input[type=file]').setInputFiles(big);

        const entry = entryOf(panel, 'IMG_9999.MOV');
        await entry.getByText(/Uploading, [1-9]\d?%/).waitFor({ timeout: 30_000 });
        // The server is receiving it: its file in the library's temp folder.
        await expect.poll(partFiles, { timeout: 15_000 }).toHaveLength(1);
        await screenshot(page, 'upload-in-progress');

        await panel.getByRole('button', { name: 'Cancel IMG_9999.MOV' }).click();
        await entry.getByText('Cancelled').waitFor();
        await panel.getByText('1 cancelled').waitFor();
        expect(await panel.getByRole('button', { name: 'Cancel all' }).count()).toBe(0);

        await expect.poll(partFiles, { timeout: 30_000 }).toEqual([]);
        expect((await libraryItems()).map((item) => item.id)).toEqual(before.map((item) => item.id));
        // Cancelling abandons the upload on the server (tus termination), which first stops the
        // PATCH still writing it: no refusal in the console.
        expect(unexpectedErrors(errors), errors.join('\n')).toEqual([]);
        await context.close();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    SLOW,
  );
});

describe('restore as a ZIP', () => {
  for (const [label, viewport] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    test(
      `${label}: a date range is counted before the download, and the ZIP holds exactly its photo`,
      async () => {
        const year = label === 'desktop' ? 2019 : 2018;
        const photo: FixtureFile = await photoTaken(`${year}-05-10`);
        await household.owner.upload(photo.path, photo.name);
        const { page, errors } = await household.signedInPage(OWNER, viewport);
        await page.goto('/photos');
        await page.getByRole('button', { name: 'Download…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Download a ZIP' });
        await dialog.waitFor();
        const download = dialog.getByRole('button', { name: 'Download', exact: true });

        // A range with nothing in it: the button is off and says why.
        await dialog.getByLabel('From').fill('2000-01-01');
        await dialog.getByLabel('To').fill('2000-01-31');
        await dialog.getByText('Nothing was taken between these dates.').waitFor();
        expect(await download.isDisabled()).toBe(true);

        await dialog.getByLabel('From').fill(`${year}-05-01`);
        await dialog.getByLabel('To').fill(`${year}-05-31`);
        await dialog.getByText(/^1 item \(1 photo\), [\d.]+ MB, taken 10 May \d{4}$/).waitFor();
        await dialog.getByText(`${photo.size.toLocaleString('en-GB')} bytes`).waitFor();
        await dialog
          .getByText('The ZIP holds the originals, exactly as they were backed up, oldest first.', {
            exact: false,
          })
          .waitFor();
        expect(await download.isEnabled()).toBe(true);
        await expectNoSeriousA11yViolations(page, `the restore dialog (${label})`);
        await screenshot(page, `restore-dates-${label}`);

        const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
        const saved = await file.path();
        const files = await unzipDownload(saved);
        expect([...files.keys()]).toEqual([photo.name]);
        expect(files.get(photo.name)).toBe(await sha256File(photo.path));
        expect(unexpectedErrors(errors)).toEqual([]);
        await page.context().close();
      },
      SLOW,
    );
  }

  test(
    "an album's download is preselected, counts the album's two items, and the ZIP holds both",
    async () => {
      const photos = [await photoTaken('2017-02-01'), await photoTaken('2016-08-08')];
      const ids: string[] = [];
      for (const photo of photos) ids.push((await household.owner.upload(photo.path, photo.name)).id);
      const album = await household.owner.json<{ id: string }>('POST', '/api/v1/albums', {
        name: 'Grandma’s garden',
      });
      await household.owner.json('POST', `/api/v1/albums/${album.id}/media`, { ids });

      const { page, errors } = await household.signedInPage(OWNER, DESKTOP);
      await page.goto(`/albums/${album.id}`);
      await page.getByRole('button', { name: 'Download…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Download a ZIP' });
      await dialog.waitFor();
      expect(await dialog.getByRole('radio', { name: 'The album “Grandma’s garden”' }).isChecked()).toBe(
        true,
      );
      await dialog.getByText(/^2 items \(2 photos\), [\d.]+ MB, taken 8 Aug 2016 – 1 Feb 2017$/).waitFor();
      const total = photos[0]!.size + photos[1]!.size;
      await dialog.getByText(`${total.toLocaleString('en-GB')} bytes`).waitFor();
      await expectNoSeriousA11yViolations(page, 'the restore dialog of an album');
      await screenshot(page, 'restore-album');

      const [file] = await Promise.all([
        page.waitForEvent('download'),
        dialog.getByRole('button', { name: 'Download', exact: true }).click(),
      ]);
      const files = await unzipDownload(await file.path());
      expect([...files.keys()].sort()).toEqual(photos.map((photo) => photo.name).sort());
      for (const photo of photos) expect(files.get(photo.name)).toBe(await sha256File(photo.path));
      expect(unexpectedErrors(errors)).toEqual([]);
      await page.context().close();
    },
    SLOW,
  );
});
