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
    const before = await statfs(dir);
    const usage = await diskUsage(dir);
    const after = await statfs(dir);
    expect(usage.totalBytes).toBe(after.blocks * after.bsize);
    // Other processes write to this disk meanwhile (CI runs suites in parallel), so the free
    // space may move between the calls; it must lie within what statfs saw either side of it,
    // give or take what a busy neighbour writes in a few milliseconds.
    const slack = 64 * MiB;
    const low = Math.min(before.bavail, after.bavail) * after.bsize - slack;
    const high = Math.max(before.bavail, after.bavail) * after.bsize + slack;
    expect(usage.freeBytes).toBeGreaterThanOrEqual(low);
    expect(usage.freeBytes).toBeLessThanOrEqual(high);
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
