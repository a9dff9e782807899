import { createHash, randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { receiveToTemp } from '../src/index.js';
import { tempDir } from './helper.js';

const MiB = 1024 * 1024;

// Live memory is what a leak or a whole-file buffer would show; RSS also holds garbage the
// collector has not yet returned, which differs between Node versions. A full collection before
// each sample measures what is still referenced.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const liveBytes = () => {
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
};

describe.each([
  { hashing: 'on the event loop', hashOnWorker: false },
  { hashing: 'on a worker thread', hashOnWorker: true },
])('receiveToTemp memory, hashing $hashing', ({ hashOnWorker }) => {
  it('streams 512 MiB with the memory of a small file (live memory < 16 MiB more, RSS < 128 MB more)', async () => {
    const tmpDir = await tempDir();
    const total = 512 * MiB;
    const chunkSize = 64 * 1024;
    const pattern = randomBytes(MiB + 17);
    const expected = createHash('sha256');
    const baselineLive = liveBytes();
    const baselineRss = process.memoryUsage.rss();
    let peakRss = baselineRss;
    let peakLive = baselineLive;

    async function* generated() {
      // Fresh buffers, as a socket delivers them; the file itself is never allocated.
      for (let offset = 0; offset < total; offset += chunkSize) {
        const chunk = Buffer.allocUnsafe(chunkSize);
        pattern.copy(chunk, 0, offset % MiB, (offset % MiB) + chunkSize);
        chunk.writeUInt32BE(offset / chunkSize, 0);
        expected.update(chunk);
        if ((offset / chunkSize) % 64 === 0) {
          peakRss = Math.max(peakRss, process.memoryUsage.rss());
          peakLive = Math.max(peakLive, liveBytes());
        }
        yield chunk;
      }
    }

    const upload = await receiveToTemp(generated(), { tmpDir, hashOnWorker });
    expect(upload.size).toBe(total);
    expect(upload.sha256).toBe(expected.digest('hex'));
    const rssGrowth = peakRss - baselineRss;
    const liveGrowth = peakLive - baselineLive;
    console.info(
      `512 MiB upload, hashOnWorker ${hashOnWorker}: live memory +${(liveGrowth / MiB).toFixed(1)} MiB, RSS +${(rssGrowth / MiB).toFixed(1)} MiB`,
    );
    expect(liveGrowth).toBeLessThan(16 * MiB);
    expect(rssGrowth).toBeLessThan(128 * 1000 * 1000);
  });
});
