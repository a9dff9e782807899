import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeZip } from '../src/index.js';
import { inspectZip, sparseFile, unzip, type InspectedArchive } from './zip-inspect.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** `unzip -t` of 4 GiB spends ~25 s of CPU in Info-ZIP's table CRC (over a minute on a busy box). */
const SLOW = process.env.ICLOOD_SLOW_TESTS === '1';

describe('createZipStream past 4 GiB (a sparse 4 GiB + 3 MiB file between two small ones)', () => {
  let dir: string;
  let archive: string;
  let inspected: InspectedArchive;
  let rssGrowth: number;
  const before = randomBytes(10_000);
  const after = randomBytes(20_000);
  const bigSize = 4 * GiB + 3 * MiB;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iclood-zip64-'));
    // Sparse: two 1 MiB islands of random bytes, the rest holes; no real disk is used, and the
    // archive is written sparse too.
    const bigPath = join(dir, 'big.mov');
    const big = await open(bigPath, 'w');
    await big.truncate(bigSize);
    await big.write(randomBytes(MiB), 0, MiB, 0);
    await big.write(randomBytes(MiB), 0, MiB, 4 * GiB + MiB);
    await big.close();
    await writeFile(join(dir, 'before.jpg'), before);
    await writeFile(join(dir, 'after.jpg'), after);
    const modifiedAt = new Date('2025-05-05T05:05:05.000Z');

    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    archive = join(dir, 'big.zip');
    const started = performance.now();
    try {
      // writeZip, as the restore route uses it, into a file that stays sparse.
      await writeZip(await sparseFile(archive), [
        { name: 'before.jpg', path: join(dir, 'before.jpg'), modifiedAt },
        { name: 'big.mov', path: bigPath, modifiedAt },
        { name: 'after.jpg', path: join(dir, 'after.jpg'), modifiedAt },
      ]);
    } finally {
      clearInterval(sampler);
    }
    rssGrowth = peak - baseline;
    console.info(
      `4 GiB sparse zip written in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
        `RSS +${(rssGrowth / MiB).toFixed(1)} MiB`,
    );
    inspected = await inspectZip(archive);
  }, 180_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('streams it in flat memory (RSS growth < 64 MB)', () => {
    expect(rssGrowth).toBeLessThan(64 * 1000 * 1000);
  });

  it('uses ZIP64 sizes for the big entry, ZIP64 offsets after it and the ZIP64 end records', async () => {
    expect(inspected.zip64EndRecord).toBe(true);
    const [first, bigEntry, last] = inspected.entries;
    expect(first).toMatchObject({ name: 'before.jpg', zip64: false, size: before.length, offset: 0 });
    expect(bigEntry).toMatchObject({ name: 'big.mov', zip64: true, size: bigSize, compressedSize: bigSize });
    expect(bigEntry!.local.zip64).toBe(true);
    expect(bigEntry!.descriptor).toEqual({ crc: bigEntry!.crc, size: bigSize });
    // Its local header sits past 4 GiB: the offset needs the ZIP64 field, its size does not.
    expect(last!.offset).toBeGreaterThan(0xffffffff);
    expect(last).toMatchObject({ name: 'after.jpg', zip64: true, size: after.length });
    expect(last!.local.zip64).toBe(false);
    expect(inspected.directoryOffset).toBeGreaterThan(0xffffffff);
    expect((await stat(archive)).size).toBe(
      inspected.directoryOffset + inspected.directorySize + 56 + 20 + 22,
    );
  });

  it('unzip finds and extracts the entries around it byte for byte', async () => {
    const listing = await unzip('-l', archive);
    expect(listing).toMatch(new RegExp(`\\s${bigSize}\\s.*big\\.mov`));
    const out = join(dir, 'out');
    await unzip('-q', '-o', archive, 'before.jpg', 'after.jpg', '-d', out);
    expect((await readFile(join(out, 'before.jpg'))).equals(before)).toBe(true);
    expect((await readFile(join(out, 'after.jpg'))).equals(after)).toBe(true);
  });

  it.runIf(SLOW)(
    'passes unzip -t, every CRC checked (slow: set ICLOOD_SLOW_TESTS=1)',
    async () => {
      expect(await unzip('-t', archive)).toContain('No errors detected');
    },
    300_000,
  );
});
