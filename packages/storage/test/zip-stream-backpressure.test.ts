import { randomBytes } from 'node:crypto';
import { readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createZipStream, type ZipEntry } from '../src/index.js';
import { tempDir } from './helper.js';

const MiB = 1024 * 1024;

/** Which files under `dir` this process holds open right now (Linux /proc). */
async function openFilesUnder(dir: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith(`${dir}/`)).sort();
}

async function makeFiles(dir: string, count: number, size: number): Promise<ZipEntry[]> {
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index++) {
    const path = join(dir, `file-${String(index).padStart(2, '0')}.mov`);
    await writeFile(path, randomBytes(size));
    entries.push({ name: `IMG_${index}.MOV`, path, modifiedAt: new Date() });
  }
  return entries;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('createZipStream pulls files only as fast as its consumer reads', () => {
  it('reads nothing before asked, then buffers a bounded amount and holds one file open', async () => {
    const dir = await tempDir();
    const entries = await makeFiles(dir, 8, 4 * MiB);
    const pulled: string[] = [];
    function* tracked(): Generator<ZipEntry> {
      for (const entry of entries) {
        pulled.push(entry.name);
        yield entry;
      }
    }
    const highWaterMark = MiB;
    const chunkBytes = 256 * 1024;
    const zip = createZipStream(tracked(), { highWaterMark, chunkBytes });
    await settle();
    expect(pulled).toEqual([]);
    expect(await openFilesUnder(dir)).toEqual([]);

    // One read, then a consumer that stalls.
    zip.read(0);
    await once(zip, 'readable');
    await settle();
    expect(zip.readableLength).toBeGreaterThan(0);
    expect(zip.readableLength).toBeLessThanOrEqual(highWaterMark + chunkBytes);
    expect(pulled).toEqual(['IMG_0.MOV']);
    expect(await openFilesUnder(dir)).toEqual([join(dir, 'file-00.mov')]);

    // Reading about 5 MiB moves the stream into the second file and closes the first.
    let consumed = 0;
    while (consumed < 5 * MiB) {
      const chunk = zip.read() as Buffer | null;
      if (chunk) consumed += chunk.length;
      else await once(zip, 'readable');
    }
    await settle();
    expect(pulled).toEqual(['IMG_0.MOV', 'IMG_1.MOV']);
    expect(await openFilesUnder(dir)).toEqual([join(dir, 'file-01.mov')]);
    expect(zip.readableLength).toBeLessThanOrEqual(highWaterMark + chunkBytes);
    zip.destroy();
  });

  it('closes the open file and stops pulling entries when the consumer goes away mid-file', async () => {
    const dir = await tempDir();
    const entries = await makeFiles(dir, 6, 2 * MiB);
    let pulled = 0;
    function* tracked(): Generator<ZipEntry> {
      for (const entry of entries) {
        pulled++;
        yield entry;
      }
    }
    const zip = createZipStream(tracked(), { chunkBytes: 128 * 1024, highWaterMark: 256 * 1024 });
    let received = 0;
    for await (const chunk of zip as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > 5 * MiB) break; // in the third file; `break` destroys the stream
    }
    await settle();
    expect(zip.destroyed).toBe(true);
    expect(await openFilesUnder(dir)).toEqual([]);
    expect(pulled).toBe(3);
  });

  it('closes the open file when destroyed with an error', async () => {
    const dir = await tempDir();
    const entries = await makeFiles(dir, 2, 3 * MiB);
    const zip = createZipStream(entries, { chunkBytes: 64 * 1024, highWaterMark: 128 * 1024 });
    zip.read(0);
    await once(zip, 'readable');
    expect(await openFilesUnder(dir)).toEqual([join(dir, 'file-00.mov')]);
    const errored = once(zip, 'error');
    zip.destroy(new Error('client went away'));
    const [error] = (await errored) as [Error];
    expect(error.message).toBe('client went away');
    await settle();
    expect(await openFilesUnder(dir)).toEqual([]);
  });
});
