import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createZipStream, writeZip, type ZipEntry } from '../src/index.js';
import { tempDir } from './helper.js';
import { unzip } from './zip-inspect.js';

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function openFilesUnder(dir: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith(`${dir}/`));
}

async function sources(dir: string, sizes: number[]): Promise<{ entries: ZipEntry[]; data: Buffer[] }> {
  const entries: ZipEntry[] = [];
  const data: Buffer[] = [];
  for (const [index, size] of sizes.entries()) {
    const bytes = randomBytes(size);
    const path = join(dir, `source-${index}`);
    await writeFile(path, bytes);
    entries.push({ name: `IMG_${index}.MOV`, path, modifiedAt: new Date('2024-02-03T04:05:06Z') });
    data.push(bytes);
  }
  return { entries, data };
}

/** A destination that looks at each chunk only later, as a socket hands bytes to the kernel later. */
function lateReader(delayMs: number): { destination: Writable; hash: () => string; bytes: () => number } {
  const hash = createHash('sha256');
  let bytes = 0;
  const destination = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        hash.update(chunk);
        bytes += chunk.length;
        callback();
      }, delayMs);
    },
  });
  return { destination, hash: () => hash.digest('hex'), bytes: () => bytes };
}

describe('writeZip', () => {
  it('writes the very archive createZipStream makes, reusing its buffers only once they are written', async () => {
    const dir = await tempDir();
    const { entries } = await sources(dir, [3 * MiB + 5, 0, 700_001, 2 * MiB]);
    const expected = createHash('sha256');
    for await (const chunk of createZipStream(entries, { chunkBytes: 128 * 1024 })) expected.update(chunk);

    const late = lateReader(2);
    await writeZip(late.destination, entries, { chunkBytes: 128 * 1024, buffers: 3 });
    expect(late.hash()).toBe(expected.digest('hex'));
  });

  it('writes a file unzip reads back byte for byte', async () => {
    const dir = await tempDir();
    const { entries, data } = await sources(dir, [5 * MiB + 3, 1, 64 * 1024]);
    const archive = join(dir, 'out.zip');
    await writeZip(createWriteStream(archive), entries, { chunkBytes: 256 * 1024 });
    expect(await unzip('-t', archive)).toContain('No errors detected');
    const out = join(dir, 'out');
    await unzip('-q', archive, '-d', out);
    for (const [index, bytes] of data.entries()) {
      expect(sha256(await readFile(join(out, `IMG_${index}.MOV`)))).toBe(sha256(bytes));
    }
  });

  it('stops, closes the open file and rejects when the destination closes mid-archive', async () => {
    const dir = await tempDir();
    const { entries } = await sources(dir, [4 * MiB, 4 * MiB, 4 * MiB]);
    let pulled = 0;
    function* counted() {
      for (const entry of entries) {
        pulled++;
        yield entry;
      }
    }
    const late = lateReader(1);
    const writing = writeZip(late.destination, counted(), { chunkBytes: 256 * 1024 });
    while (late.bytes() < 5 * MiB) await new Promise((resolve) => setTimeout(resolve, 5));
    late.destination.destroy();
    await expect(writing).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
    expect(pulled).toBe(2);
    expect(await openFilesUnder(dir)).toEqual([]);
  });

  it('rejects with the destination’s error and closes the open file', async () => {
    const dir = await tempDir();
    const { entries } = await sources(dir, [6 * MiB]);
    let written = 0;
    const failing = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        callback(written > 2 * MiB ? new Error('disk on fire') : null);
      },
    });
    await expect(writeZip(failing, entries, { chunkBytes: 256 * 1024 })).rejects.toThrow('disk on fire');
    expect(await openFilesUnder(dir)).toEqual([]);
  });
});
