import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFreeSpace, commitToLibrary, receiveToTemp } from '../src/index.js';
import { chunksOf, listDir, mountTinyTmpfs } from './helper.js';

const MiB = 1024 * 1024;

describe('a disk that fills up (a real 1 MiB tmpfs)', () => {
  let disk: Awaited<ReturnType<typeof mountTinyTmpfs>>;

  beforeAll(async () => {
    disk = await mountTinyTmpfs(MiB);
  });

  afterAll(async () => {
    await disk?.unmount();
  });

  it('turns ENOSPC mid-stream into STORAGE_FULL and leaves no temp file', async (context) => {
    if (!disk) return context.skip('mount refused (not root?)');
    const tmpDir = join(disk.dir, 'library', '.tmp');
    await mkdir(tmpDir, { recursive: true });
    const twoMegabytes = Array.from({ length: 32 }, () => randomBytes(64 * 1024));
    await expect(receiveToTemp(chunksOf(...twoMegabytes), { tmpDir })).rejects.toMatchObject({
      code: 'STORAGE_FULL',
      cause: expect.objectContaining({ code: 'ENOSPC' }),
    });
    expect(await listDir(tmpDir)).toEqual([]);

    // The space is back: the next upload that fits goes through.
    const fits = await receiveToTemp(chunksOf(randomBytes(100_000)), { tmpDir });
    expect(fits.size).toBe(100_000);
    const placement = await commitToLibrary({
      tempPath: fits.tempPath,
      libraryDir: join(disk.dir, 'library'),
      relDir: 'alice/2024/05',
      fileName: 'IMG_0001.JPG',
    });
    await placement.confirm();
    expect(await listDir(join(disk.dir, 'library', 'alice', '2024', '05'))).toEqual(['IMG_0001.JPG']);
  });

  it('refuses a known size up front with STORAGE_FULL naming free and needed bytes', async (context) => {
    if (!disk) return context.skip('mount refused (not root?)');
    await expect(
      assertFreeSpace(disk.dir, { incomingBytes: 2 * MiB, minFreeBytes: 0 }),
    ).rejects.toMatchObject({
      code: 'STORAGE_FULL',
      message: expect.stringMatching(/free, .*needed/),
    });
  });
});
