import { statfs } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertFreeSpace, diskUsage } from '../src/index.js';
import { mountTinyTmpfs, tempDir } from './helper.js';

const MiB = 1024 * 1024;

describe('diskUsage and assertFreeSpace', () => {
  let disk: Awaited<ReturnType<typeof mountTinyTmpfs>>;

  beforeAll(async () => {
    disk = await mountTinyTmpfs(4 * MiB);
  });

  afterAll(async () => {
    await disk?.unmount();
  });

  it('reports the size of a filesystem of known size', async (context) => {
    if (!disk) return context.skip('mount refused (not root?)');
    expect(await diskUsage(disk.dir)).toEqual({ totalBytes: 4 * MiB, freeBytes: 4 * MiB, usedBytes: 0 });
  });

  it('agrees with statfs on the real disk', async () => {
    const dir = await tempDir();
    const usage = await diskUsage(dir);
    const stats = await statfs(dir);
    expect(usage.totalBytes).toBe(stats.blocks * stats.bsize);
    expect(usage.freeBytes).toBe(stats.bavail * stats.bsize);
    expect(usage.usedBytes + usage.freeBytes).toBeLessThanOrEqual(usage.totalBytes);
  });

  it('lets an upload through when it leaves the reserve free, and refuses one byte more', async (context) => {
    if (!disk) return context.skip('mount refused (not root?)');
    const reserve = MiB;
    const fits = 3 * MiB;
    await expect(
      assertFreeSpace(disk.dir, { incomingBytes: fits, minFreeBytes: reserve }),
    ).resolves.toMatchObject({
      freeBytes: 4 * MiB,
    });
    await expect(
      assertFreeSpace(disk.dir, { incomingBytes: fits + 1, minFreeBytes: reserve }),
    ).rejects.toMatchObject({
      code: 'STORAGE_FULL',
      message: expect.stringContaining(`(${4 * MiB} bytes) free`),
    });
  });

  it('fails plainly for a folder that does not exist', async () => {
    await expect(diskUsage('/nonexistent/iclood')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
