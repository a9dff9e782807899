import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { receiveToTemp } from '../src/index.js';
import { tempDir } from './helper.js';

const MiB = 1024 * 1024;

describe.each([
  { hashing: 'on the event loop', hashOnWorker: false },
  { hashing: 'on a worker thread', hashOnWorker: true },
])('receiveToTemp memory, hashing $hashing', ({ hashOnWorker }) => {
  it('streams 512 MiB with the memory of a small file (RSS growth < 64 MB)', async () => {
    const tmpDir = await tempDir();
    const total = 512 * MiB;
    const chunkSize = 64 * 1024;
    const pattern = randomBytes(MiB + 17);
    const expected = createHash('sha256');
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;

    async function* generated() {
      // Fresh buffers, as a socket delivers them; the file itself is never allocated.
      for (let offset = 0; offset < total; offset += chunkSize) {
        const chunk = Buffer.allocUnsafe(chunkSize);
        pattern.copy(chunk, 0, offset % MiB, (offset % MiB) + chunkSize);
        chunk.writeUInt32BE(offset / chunkSize, 0);
        expected.update(chunk);
        if ((offset / chunkSize) % 64 === 0) {
          const usage = process.memoryUsage();
          peakRss = Math.max(peakRss, usage.rss);
          peakHeap = Math.max(peakHeap, usage.heapUsed);
        }
        yield chunk;
      }
    }

    const upload = await receiveToTemp(generated(), { tmpDir, hashOnWorker });
    expect(upload.size).toBe(total);
    expect(upload.sha256).toBe(expected.digest('hex'));
    const rssGrowth = peakRss - baseline.rss;
    const heapGrowth = peakHeap - baseline.heapUsed;
    console.info(
      `512 MiB upload, hashOnWorker ${hashOnWorker}: RSS +${(rssGrowth / MiB).toFixed(1)} MiB, heap +${(heapGrowth / MiB).toFixed(1)} MiB`,
    );
    expect(rssGrowth).toBeLessThan(64 * 1000 * 1000);
    expect(heapGrowth).toBeLessThan(64 * 1000 * 1000);
  });
});
