import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  finishRemovalIntents,
  recordLibraryRemoval,
  sweepLibrary,
  thumbnailPath,
  type LibraryRemovalItem,
} from '../src/index.js';
import { listDir, tempDir } from './helper.js';

/** A library with `count` originals under alice/2024/05, each with both thumbnails. */
async function libraryWith(count: number) {
  const root = await tempDir();
  const libraryDir = join(root, 'library');
  const thumbsDir = join(root, 'thumbs');
  const tmpDir = join(libraryDir, '.tmp');
  await mkdir(tmpDir, { recursive: true });
  const items: LibraryRemovalItem[] = [];
  for (let i = 0; i < count; i++) {
    const item = { mediaId: randomUUID(), relPath: `alice/2024/05/IMG_${i}.HEIC` };
    await mkdir(join(libraryDir, 'alice', '2024', '05'), { recursive: true });
    await writeFile(join(libraryDir, item.relPath), `original ${i}`.padEnd(100, '.'));
    for (const size of ['small', 'preview'] as const) {
      const path = thumbnailPath(thumbsDir, item.mediaId, size);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, `${size} ${i}`.padEnd(10, '.'));
    }
    items.push(item);
  }
  const present = async (item: LibraryRemovalItem) => ({
    original: (await listDir(join(libraryDir, 'alice', '2024', '05'))).includes(item.relPath.split('/')[3]!),
    thumbnails: (await listDir(dirname(thumbnailPath(thumbsDir, item.mediaId, 'small')))).filter((name) =>
      name.startsWith(item.mediaId),
    ).length,
  });
  return { libraryDir, thumbsDir, tmpDir, items, present };
}

const recordedAmong =
  (paths: string[]) =>
  async (relPaths: string[]): Promise<Set<string>> =>
    new Set(relPaths.filter((relPath) => paths.includes(relPath)));

describe('removing items from the library for good', () => {
  it('records an intent first, then removes the originals and thumbnails of the rows deleted', async () => {
    const { libraryDir, thumbsDir, tmpDir, items, present } = await libraryWith(3);
    const removal = await recordLibraryRemoval({ libraryDir, thumbsDir, items });
    // On disk, fsynced, before any row is touched: everything still there.
    const [intentName] = await readdir(tmpDir);
    expect(intentName).toMatch(/^[0-9a-f-]{36}\.removal$/);
    expect(join(tmpDir, intentName!)).toBe(removal.intentPath);
    const recorded = JSON.parse(await readFile(removal.intentPath, 'utf8')) as {
      thumbsDir: string;
      entries: Array<{ relPath: string; mediaId: string; ino: string; size: number }>;
    };
    expect(recorded.thumbsDir).toBe(thumbsDir);
    expect(recorded.entries.map((entry) => entry.relPath)).toEqual(items.map((item) => item.relPath));
    expect(recorded.entries[0]).toMatchObject({ size: 100, ino: expect.stringMatching(/^\d+$/) });
    expect(await present(items[0]!)).toEqual({ original: true, thumbnails: 2 });

    // The third row was restored before the deletion: its files stay.
    const freed = await removal.finish([items[0]!.mediaId, items[1]!.mediaId]);
    expect(freed).toEqual({ files: 2, bytes: 2 * 100 + 4 * 10 });
    expect(await present(items[0]!)).toEqual({ original: false, thumbnails: 0 });
    expect(await present(items[1]!)).toEqual({ original: false, thumbnails: 0 });
    expect(await present(items[2]!)).toEqual({ original: true, thumbnails: 2 });
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('after a crash between the row deletion and the unlinks, the sweep removes the files', async () => {
    const { libraryDir, thumbsDir, tmpDir, items, present } = await libraryWith(2);
    await recordLibraryRemoval({ libraryDir, thumbsDir, items });
    // The rows are gone (deleted, committed), then the process died: finish() never ran.
    const result = await sweepLibrary({ libraryDir, isRecorded: recordedAmong([]) });
    expect(result).toEqual({
      removedTempFiles: 0,
      removedOrphans: 0,
      keptConfirmed: 0,
      ignoredIntents: 0,
      removals: { intents: 1, removedFiles: 2, keptFiles: 0 },
    });
    for (const item of items) expect(await present(item)).toEqual({ original: false, thumbnails: 0 });
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('after a crash before the rows were deleted, the sweep keeps every file whose row exists', async () => {
    const { libraryDir, thumbsDir, tmpDir, items, present } = await libraryWith(3);
    await recordLibraryRemoval({ libraryDir, thumbsDir, items });
    // Only the first row's deletion had committed.
    const stillRecorded = items.slice(1).map((item) => item.relPath);
    const result = await sweepLibrary({ libraryDir, isRecorded: recordedAmong(stillRecorded) });
    expect(result.removals).toEqual({ intents: 1, removedFiles: 1, keptFiles: 2 });
    expect(await present(items[0]!)).toEqual({ original: false, thumbnails: 0 });
    expect(await present(items[1]!)).toEqual({ original: true, thumbnails: 2 });
    expect(await present(items[2]!)).toEqual({ original: true, thumbnails: 2 });
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('never removes a different file that now sits at a listed path', async () => {
    const { libraryDir, thumbsDir, items } = await libraryWith(1);
    const removal = await recordLibraryRemoval({ libraryDir, thumbsDir, items });
    const path = join(libraryDir, items[0]!.relPath);
    // Moved away by hand (its inode stays in use), and another file of the same size put there.
    await rename(path, `${path}.moved`);
    await writeFile(path, 'copied in by hand'.padEnd(100, '.'));
    expect(await removal.finish([items[0]!.mediaId])).toEqual({ files: 0, bytes: 20 });
    expect(await readFile(path, 'utf8')).toMatch(/^copied in by hand/);

    // Same inode and size, but written again since: kept too.
    const { libraryDir: dir2, thumbsDir: thumbs2, items: items2 } = await libraryWith(1);
    const second = await recordLibraryRemoval({ libraryDir: dir2, thumbsDir: thumbs2, items: items2 });
    const path2 = join(dir2, items2[0]!.relPath);
    await utimes(path2, new Date('2020-01-01T00:00:00Z'), new Date('2020-01-01T00:00:00Z'));
    expect((await second.finish([items2[0]!.mediaId])).files).toBe(0);
    expect(await readFile(path2, 'utf8')).toMatch(/^original 0/);
  });

  it('lists items whose original is already missing, and still removes their thumbnails', async () => {
    const { libraryDir, thumbsDir, items, present } = await libraryWith(1);
    await rm(join(libraryDir, items[0]!.relPath));
    const removal = await recordLibraryRemoval({
      libraryDir,
      thumbsDir,
      items: [...items, { mediaId: randomUUID(), relPath: '../outside.jpg' }],
    });
    expect(await removal.finish(items.map((item) => item.mediaId))).toEqual({ files: 0, bytes: 20 });
    expect(await present(items[0]!)).toEqual({ original: false, thumbnails: 0 });
  });

  it('drops a torn intent, and with olderThan leaves a removal under way alone', async () => {
    const { libraryDir, thumbsDir, tmpDir, items, present } = await libraryWith(2);
    await writeFile(join(tmpDir, `${randomUUID()}.removal`), '{"thumbsDir":"/x","entries":[{"media');
    const inFlight = await recordLibraryRemoval({ libraryDir, thumbsDir, items: [items[0]!] });
    const old = await recordLibraryRemoval({ libraryDir, thumbsDir, items: [items[1]!] });
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(old.intentPath, new Date(anHourAgo.getTime() - 1000), new Date(anHourAgo.getTime() - 1000));

    const result = await finishRemovalIntents({
      libraryDir,
      isRecorded: recordedAmong([]),
      olderThan: anHourAgo,
    });
    expect(result).toEqual({ intents: 1, removedFiles: 1, keptFiles: 0 });
    expect(await present(items[1]!)).toEqual({ original: false, thumbnails: 0 });
    expect(await present(items[0]!)).toEqual({ original: true, thumbnails: 2 });
    expect(await readdir(tmpDir)).toHaveLength(2);

    expect(await finishRemovalIntents({ libraryDir, isRecorded: recordedAmong([]) })).toEqual({
      intents: 2,
      removedFiles: 1,
      keptFiles: 0,
    });
    expect(await readdir(tmpDir)).toEqual([]);
    expect(inFlight.intentPath).toMatch(/\.removal$/);
  });

  it('asks about recorded paths in batches', async () => {
    const { libraryDir, thumbsDir, items } = await libraryWith(5);
    await recordLibraryRemoval({ libraryDir, thumbsDir, items });
    const asked: number[] = [];
    const result = await finishRemovalIntents({
      libraryDir,
      batchSize: 2,
      isRecorded: async (relPaths) => {
        asked.push(relPaths.length);
        return new Set(relPaths);
      },
    });
    expect(asked).toEqual([2, 2, 1]);
    expect(result).toEqual({ intents: 1, removedFiles: 0, keptFiles: 5 });
    expect(await listDir(join(libraryDir, 'alice', '2024', '05'))).toHaveLength(5);
  });
});
