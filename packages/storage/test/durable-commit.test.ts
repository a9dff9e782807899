import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { open } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { commitToLibrary, receiveToTemp } from '../src/index.js';
import { chunksOf, tempDir } from './helper.js';

// The upload route's fast path: the temp file is flushed and given its final mode while it is
// still open, so the commit only links it.
describe('a durable receive followed by a synced commit', () => {
  it('receives with the mode asked for and reports the inode, then places the same file', async () => {
    const libraryDir = await tempDir();
    const tmpDir = join(libraryDir, '.tmp');
    await mkdir(tmpDir);
    const bytes = randomBytes(300_000);
    const received = await receiveToTemp(chunksOf(bytes), { tmpDir, durable: true, fileMode: 0o644 });
    expect(received.synced).toBe(true);
    const tempStats = await stat(received.tempPath, { bigint: true });
    expect(received.ino).toBe(tempStats.ino.toString());
    expect(Number(tempStats.mode & 0o777n)).toBe(0o644);

    const placement = await commitToLibrary({
      tempPath: received.tempPath,
      libraryDir,
      relDir: 'alice/2025/01',
      fileName: 'IMG_0002.JPG',
      modifiedAt: new Date('2025-01-02T03:04:05Z'),
      synced: { ino: received.ino, size: received.size },
    });
    const placed = await stat(placement.absolutePath, { bigint: true });
    // A hard link of the received file: same inode, nothing copied.
    expect(placed.ino.toString()).toBe(received.ino);
    expect(Number(placed.mode & 0o777n)).toBe(0o644);
    expect(new Date(Number(placed.mtimeMs)).toISOString()).toBe('2025-01-02T03:04:05.000Z');
    expect(
      createHash('sha256')
        .update(await readFile(placement.absolutePath))
        .digest('hex'),
    ).toBe(received.sha256);
    // Only the intent is left in .tmp until the row is committed, and nothing after.
    expect((await readdir(tmpDir)).every((name) => name.endsWith('.intent'))).toBe(true);
    await placement.confirm();
    expect(await readdir(tmpDir)).toEqual([]);
  });

  it("'background' resolves before the last flush; the commit waits for it before linking", async () => {
    const libraryDir = await tempDir();
    const tmpDir = join(libraryDir, '.tmp');
    await mkdir(tmpDir);
    const probe = await open(tmpDir, 'r');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    // The last flush is held until the test lets it go.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const original = prototype.datasync;
    const spy = vi.spyOn(prototype, 'datasync').mockImplementation(async function (this: unknown) {
      await held;
      return original.call(this);
    });
    try {
      const bytes = randomBytes(200_000);
      const received = await receiveToTemp(chunksOf(bytes), {
        tmpDir,
        durable: 'background',
        fileMode: 0o644,
      });
      expect(received.synced).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
      let commitDone = false;
      const commit = commitToLibrary({
        tempPath: received.tempPath,
        libraryDir,
        relDir: 'alice/2025/02',
        fileName: 'IMG_0003.JPG',
        synced: { ino: received.ino, size: received.size, flushed: received.flushed },
      }).finally(() => (commitDone = true));
      // Prepared (folders made, then the intent written) but not linked while the flush is pending.
      // Waits for the intent itself, not for a time: on a loaded machine preparing can take a while.
      await vi.waitFor(
        async () =>
          expect((await readdir(tmpDir)).filter((name) => name.endsWith('.intent'))).toHaveLength(1),
        { timeout: 30_000, interval: 20 },
      );
      // Then a moment in which a commit that did not wait for the flush would have linked the file.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(commitDone).toBe(false);
      expect(await readdir(join(libraryDir, 'alice', '2025', '02'))).toEqual([]);
      release();
      const placement = await commit;
      expect((await readFile(placement.absolutePath)).equals(bytes)).toBe(true);
      await placement.confirm();
      expect(await readdir(tmpDir)).toEqual([]);
    } finally {
      release();
      spy.mockRestore();
    }
  });

  it("a failed 'background' flush fails the commit: nothing placed, no intent left", async () => {
    const libraryDir = await tempDir();
    const tmpDir = join(libraryDir, '.tmp');
    await mkdir(tmpDir);
    const received = await receiveToTemp(chunksOf(randomBytes(10_000)), { tmpDir, durable: 'background' });
    await received.flushed;
    const failure = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    await expect(
      commitToLibrary({
        tempPath: received.tempPath,
        libraryDir,
        relDir: 'alice/2025/02',
        fileName: 'IMG_0004.JPG',
        synced: { ino: received.ino, size: received.size, flushed: Promise.reject(failure) },
      }),
    ).rejects.toBe(failure);
    expect(await readdir(join(libraryDir, 'alice', '2025', '02')).catch(() => [])).toEqual([]);
    expect(await readdir(tmpDir)).toEqual([received.tempPath.split('/').pop()]);
  });

  it('flushes a large upload in the background while it arrives, then once more at the end', async () => {
    const tmpDir = await tempDir();
    const probe = await open(tmpDir, 'r');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const spy = vi.spyOn(prototype, 'datasync');
    try {
      const bytes = randomBytes(4 * 1024 * 1024);
      const pieces = () => Array.from({ length: 64 }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
      const received = await receiveToTemp(chunksOf(...pieces()), {
        tmpDir,
        durable: true,
        earlyFlushBytes: 512 * 1024,
      });
      // At least one early flush (one at a time, so at most 4 MiB / 512 KiB) plus the final one.
      expect(spy.mock.calls.length).toBeGreaterThanOrEqual(2);
      expect(spy.mock.calls.length).toBeLessThanOrEqual(9);
      expect(received.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect((await stat(received.tempPath)).size).toBe(bytes.length);

      spy.mockClear();
      await receiveToTemp(chunksOf(...pieces()), { tmpDir, earlyFlushBytes: 512 * 1024 });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('without `durable`, keeps the private mode and says it is not synced', async () => {
    const tmpDir = await tempDir();
    const received = await receiveToTemp(chunksOf(randomBytes(1000)), { tmpDir });
    expect(received.synced).toBe(false);
    expect((await stat(received.tempPath)).mode & 0o777).toBe(0o600);
  });

  it('recreates a month folder removed behind its back and places into it', async () => {
    const libraryDir = await tempDir();
    const tmpDir = join(libraryDir, '.tmp');
    await mkdir(tmpDir);
    const place = async (name: string) => {
      const received = await receiveToTemp(chunksOf(randomBytes(2000)), { tmpDir, durable: true });
      const placement = await commitToLibrary({
        tempPath: received.tempPath,
        libraryDir,
        relDir: 'bob/2023/07',
        fileName: name,
        synced: { ino: received.ino, size: received.size },
      });
      await placement.confirm();
      return placement.absolutePath;
    };
    await place('a.jpg');
    await rm(join(libraryDir, 'bob'), { recursive: true });
    const again = await place('b.jpg');
    expect(await readdir(join(libraryDir, 'bob', '2023', '07'))).toEqual(['b.jpg']);
    expect((await stat(again)).size).toBe(2000);
  });
});
