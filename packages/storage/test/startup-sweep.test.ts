import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitToLibrary, receiveToTemp, sweepLibrary } from '../src/index.js';
import { chunksOf, listDir, tempDir } from './helper.js';

async function library() {
  const libraryDir = await tempDir();
  const tmpDir = join(libraryDir, '.tmp');
  await mkdir(tmpDir);
  /** A commit whose process died before the row was committed: no confirm, no rollback. */
  const crashAfterPlacing = async (relDir: string, fileName: string, content: string) => {
    const { tempPath } = await receiveToTemp(chunksOf(Buffer.from(content)), { tmpDir });
    return (await commitToLibrary({ tempPath, libraryDir, relDir, fileName })).relPath;
  };
  return { libraryDir, tmpDir, crashAfterPlacing };
}

const nothingRecorded = async () => new Set<string>();

describe('sweepLibrary', () => {
  it('removes unfinished uploads (.part) and leaves other files in .tmp alone', async () => {
    const { libraryDir, tmpDir } = await library();
    await writeFile(join(tmpDir, `${randomUUID()}.part`), 'half an upload');
    await writeFile(join(tmpDir, `${randomUUID()}.part`), '');
    await writeFile(join(tmpDir, 'README'), 'not ours');
    const result = await sweepLibrary({ libraryDir, isRecorded: nothingRecorded });
    expect(result).toEqual({ removedTempFiles: 2, removedOrphans: 0, keptConfirmed: 0, ignoredIntents: 0 });
    expect(await readdir(tmpDir)).toEqual(['README']);
  });

  it('removes a placed file whose row was never committed, and keeps one whose row was', async () => {
    const { libraryDir, tmpDir, crashAfterPlacing } = await library();
    const orphan = await crashAfterPlacing('alice/2024/05', 'IMG_0001.HEIC', 'never acknowledged');
    const recorded = await crashAfterPlacing('alice/2024/05', 'IMG_0002.HEIC', 'row committed, confirm lost');
    const asked: string[][] = [];
    const result = await sweepLibrary({
      libraryDir,
      isRecorded: async (relPaths) => {
        asked.push(relPaths);
        return new Set(relPaths.filter((relPath) => relPath === recorded));
      },
    });
    expect(result).toEqual({ removedTempFiles: 0, removedOrphans: 1, keptConfirmed: 1, ignoredIntents: 0 });
    expect(asked.flat().sort()).toEqual([orphan, recorded].sort());
    expect(await listDir(join(libraryDir, 'alice', '2024', '05'))).toEqual(['IMG_0002.HEIC']);
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it('never touches files copied in by hand, even at a path an intent names', async () => {
    const { libraryDir, tmpDir, crashAfterPlacing } = await library();
    const dir = join(libraryDir, 'alice', '2024', '05');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'by-hand.jpg'), 'm'); // same size as the placed file: only its inode differs
    await writeFile(join(libraryDir, 'notes.txt'), 'mine too');
    // An intent left by a commit that lost the race for a name someone else holds.
    const relPath = await crashAfterPlacing('alice/2024/05', 'IMG_0003.JPG', 'x');
    const clash = JSON.parse(await readFile(join(tmpDir, (await readdir(tmpDir))[0]!), 'utf8')) as {
      ino: string;
      size: number;
    };
    await writeFile(
      join(tmpDir, `${randomUUID()}.intent`),
      JSON.stringify({ ...clash, relPath: 'alice/2024/05/by-hand.jpg' }),
    );

    const result = await sweepLibrary({ libraryDir, isRecorded: nothingRecorded });
    expect(result).toEqual({ removedTempFiles: 0, removedOrphans: 1, keptConfirmed: 0, ignoredIntents: 1 });
    expect(relPath).toBe('alice/2024/05/IMG_0003.JPG');
    expect(await listDir(dir)).toEqual(['by-hand.jpg']);
    expect(await readFile(join(dir, 'by-hand.jpg'), 'utf8')).toBe('m');
    expect(await readFile(join(libraryDir, 'notes.txt'), 'utf8')).toBe('mine too');
  });

  it('drops intents that are torn, point outside the library, or whose file is gone', async () => {
    const { libraryDir, tmpDir, crashAfterPlacing } = await library();
    await writeFile(join(tmpDir, `${randomUUID()}.intent`), '{"relPath":"alice/20');
    await writeFile(
      join(tmpDir, `${randomUUID()}.intent`),
      JSON.stringify({ relPath: '../outside', ino: '1', size: 1 }),
    );
    await crashAfterPlacing('a/2024/01', 'gone.jpg', 'x');
    await writeFile(join(libraryDir, 'a', '2024', '01', 'gone.jpg'), 'replaced by the user');
    const result = await sweepLibrary({ libraryDir, isRecorded: nothingRecorded });
    expect(result).toEqual({ removedTempFiles: 0, removedOrphans: 0, keptConfirmed: 0, ignoredIntents: 3 });
    expect(await readdir(tmpDir)).toEqual([]);
    expect(await readFile(join(libraryDir, 'a', '2024', '01', 'gone.jpg'), 'utf8')).toBe(
      'replaced by the user',
    );
  });

  it('asks about recorded paths in batches', async () => {
    const { libraryDir, crashAfterPlacing } = await library();
    for (let i = 0; i < 7; i++) await crashAfterPlacing('a/2024/01', `IMG_${i}.JPG`, `photo ${i}`);
    const batchSizes: number[] = [];
    const result = await sweepLibrary({
      libraryDir,
      batchSize: 3,
      isRecorded: async (relPaths) => {
        batchSizes.push(relPaths.length);
        return new Set(relPaths);
      },
    });
    expect(batchSizes).toEqual([3, 3, 1]);
    expect(result.keptConfirmed).toBe(7);
    expect(await listDir(join(libraryDir, 'a', '2024', '01'))).toHaveLength(7);
  });

  it('with olderThan, leaves in-flight uploads and commits alone', async () => {
    const { libraryDir, tmpDir, crashAfterPlacing } = await library();
    const old = join(tmpDir, `${randomUUID()}.part`);
    await writeFile(old, 'stale');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(old, new Date(anHourAgo.getTime() - 1000), new Date(anHourAgo.getTime() - 1000));
    await writeFile(join(tmpDir, `${randomUUID()}.part`), 'uploading now');
    await crashAfterPlacing('a/2024/01', 'now.jpg', 'being committed now');
    const result = await sweepLibrary({ libraryDir, isRecorded: nothingRecorded, olderThan: anHourAgo });
    expect(result).toEqual({ removedTempFiles: 1, removedOrphans: 0, keptConfirmed: 0, ignoredIntents: 0 });
    expect(await readdir(tmpDir)).toHaveLength(2);
    expect(await listDir(join(libraryDir, 'a', '2024', '01'))).toEqual(['now.jpg']);
  });

  it('does nothing on a library without a .tmp folder', async () => {
    const libraryDir = await tempDir();
    expect(await sweepLibrary({ libraryDir, isRecorded: nothingRecorded })).toEqual({
      removedTempFiles: 0,
      removedOrphans: 0,
      keptConfirmed: 0,
      ignoredIntents: 0,
    });
  });
});
