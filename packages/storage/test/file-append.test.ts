import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { appendToFile, RunningFileHash, StorageError, type AppendToFileOptions } from '../src/index.js';
import { chunksOf, tempDir } from './helper.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const clientGone = () => Object.assign(new Error('aborted'), { code: 'ECONNRESET' });

/** Yields `chunks`, then fails as a socket the client closed does. */
async function* cutAfter(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
  throw clientGone();
}

describe.each([
  { hashing: 'on the event loop', onWorker: false },
  { hashing: 'on a worker thread', onWorker: true },
])('appendToFile, hashing $hashing', ({ onWorker }) => {
  /** An upload's file holding `bytes`, with its running hash. */
  async function fileWith(bytes: Buffer): Promise<{ path: string; hash: RunningFileHash }> {
    const path = join(await tempDir(), 'upload');
    await writeFile(path, bytes);
    return { path, hash: await RunningFileHash.ofFile(path, bytes.length, { onWorker }) };
  }

  const append = (
    source: Parameters<typeof appendToFile>[0],
    options: Omit<AppendToFileOptions, 'maxBytes'> & { maxBytes?: number },
  ) => appendToFile(source, { maxBytes: Number.POSITIVE_INFINITY, ...options });

  it('appends parts at the offset, cuts unacknowledged bytes first and carries the hash across', async () => {
    const bytes = randomBytes(5_000_000);
    const { path, hash } = await fileWith(Buffer.alloc(0));
    const first = await append(
      Readable.from([bytes.subarray(0, 1_000_000), bytes.subarray(1_000_000, 2_000_000)]),
      {
        path,
        offset: 0,
        hash,
      },
    );
    expect(first).toEqual({ bytes: 2_000_000 });
    expect(hash.bytes).toBe(2_000_000);
    // A part that was being written when the server died left bytes nobody acknowledged.
    await writeFile(path, randomBytes(123), { flag: 'a' });
    const second = await append(chunksOf(bytes.subarray(2_000_000)), { path, offset: 2_000_000, hash });
    expect(second).toEqual({ bytes: 3_000_000 });
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(await hash.digest(path)).toBe(sha256(bytes));
  });

  it('hashes what is already on disk when it resumes after a restart', async () => {
    const bytes = randomBytes(3_000_000);
    const { path, hash } = await fileWith(bytes.subarray(0, 1_234_567));
    expect(hash.bytes).toBe(1_234_567);
    await append(chunksOf(bytes.subarray(1_234_567)), { path, offset: 1_234_567, hash });
    expect(await hash.digest(path)).toBe(sha256(bytes));
  });

  it('refuses a hash that does not cover the offset, and a file shorter than its hash', async () => {
    const { path, hash } = await fileWith(randomBytes(100));
    await expect(append(chunksOf(randomBytes(10)), { path, offset: 50, hash })).rejects.toThrow(/covers 100/);
    await expect(RunningFileHash.ofFile(path, 200, { onWorker })).rejects.toThrow(/has 100 bytes, not 200/);
  });

  it('keeps the bytes of a part cut off, flushed, and hashed exactly that far', async () => {
    const bytes = randomBytes(4_000_000);
    const { path, hash } = await fileWith(bytes.subarray(0, 1000));
    const cut = await append(cutAfter(bytes.subarray(1000, 70_000), bytes.subarray(70_000, 2_500_000)), {
      path,
      offset: 1000,
      hash,
    });
    expect(cut.bytes).toBe(2_499_000);
    expect(cut.cutOff).toMatchObject({ code: 'ECONNRESET' });
    expect((await stat(path)).size).toBe(2_500_000);
    expect(hash.bytes).toBe(2_500_000);
    // The same hash goes on from there.
    expect(await append(chunksOf(bytes.subarray(2_500_000)), { path, offset: 2_500_000, hash })).toEqual({
      bytes: 1_500_000,
    });
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(await hash.digest(path)).toBe(sha256(bytes));
  });

  it('keeps the bytes of a Readable destroyed mid-part', async () => {
    const { path, hash } = await fileWith(Buffer.alloc(0));
    const source = new PassThrough();
    const chunk = randomBytes(300_000);
    source.write(chunk);
    setTimeout(() => source.destroy(clientGone()), 50);
    const cut = await append(source, { path, offset: 0, hash });
    expect(cut).toMatchObject({ bytes: 300_000, cutOff: { code: 'ECONNRESET' } });
    expect(await hash.digest(path)).toBe(sha256(chunk));
  });

  it('fails a part whose source error is not a cut-off: none of it is kept, the hash is discarded', async () => {
    const { path, hash } = await fileWith(randomBytes(10));
    const failing = async function* () {
      yield randomBytes(100_000);
      throw new Error('a bug');
    };
    await expect(
      append(failing(), {
        path,
        offset: 10,
        hash,
        isCutOff: (error) => (error as { code?: string }).code === 'ECONNRESET',
      }),
    ).rejects.toThrow('a bug');
    expect((await stat(path)).size).toBe(10);
    expect(hash.lost).toBe(true);
  });

  it('refuses more bytes than remain with UPLOAD_LENGTH_EXCEEDED, keeps none, and leaves a Readable to the caller', async () => {
    const bytes = randomBytes(2_000_000);
    const { path, hash } = await fileWith(bytes.subarray(0, 500));
    const source = Readable.from([bytes.subarray(500, 1_000_000), bytes.subarray(1_000_000)], {
      objectMode: false,
    });
    const refused = append(source, { path, offset: 500, maxBytes: 1_000_000, hash });
    await expect(refused).rejects.toMatchObject({ code: 'UPLOAD_LENGTH_EXCEEDED' });
    await expect(refused).rejects.toBeInstanceOf(StorageError);
    expect(source.destroyed).toBe(false);
    expect((await stat(path)).size).toBe(500);
    expect(hash.lost).toBe(true);
    // The next part starts from a hash of the disk again.
    const again = await RunningFileHash.ofFile(path, 500, { onWorker });
    await append(chunksOf(bytes.subarray(500, 1_500_500)), {
      path,
      offset: 500,
      maxBytes: 1_500_000,
      hash: again,
    });
    expect(await again.digest(path)).toBe(sha256(bytes.subarray(0, 1_500_500)));
  });

  it('keeps a part whose checksum matches, and none of one that does not or was cut off', async () => {
    const bytes = randomBytes(1_000_000);
    const { path, hash } = await fileWith(Buffer.alloc(0));
    const part = bytes.subarray(0, 600_000);
    const checksum = { algorithm: 'sha1' as const, digest: createHash('sha1').update(part).digest() };
    expect(await append(chunksOf(part), { path, offset: 0, hash, checksum })).toEqual({ bytes: 600_000 });

    const rest = bytes.subarray(600_000);
    const wrong = { algorithm: 'sha256' as const, digest: createHash('sha256').update('other').digest() };
    await expect(
      append(chunksOf(rest), { path, offset: 600_000, hash, checksum: wrong }),
    ).rejects.toMatchObject({
      code: 'CHECKSUM_MISMATCH',
    });
    expect((await stat(path)).size).toBe(600_000);
    expect(hash.lost).toBe(true);

    const right = { algorithm: 'sha256' as const, digest: createHash('sha256').update(rest).digest() };
    const afterMismatch = await RunningFileHash.ofFile(path, 600_000, { onWorker });
    await expect(
      append(cutAfter(rest.subarray(0, 100_000)), {
        path,
        offset: 600_000,
        hash: afterMismatch,
        checksum: right,
      }),
    ).rejects.toMatchObject({ code: 'UPLOAD_ABORTED' });
    expect((await stat(path)).size).toBe(600_000);

    const last = await RunningFileHash.ofFile(path, 600_000, { onWorker });
    expect(await append(chunksOf(rest), { path, offset: 600_000, hash: last, checksum: right })).toEqual({
      bytes: 400_000,
    });
    expect(await last.digest(path)).toBe(sha256(bytes));
  });

  it('writes thousands of tiny chunks (batches kept under IOV_MAX buffers) in order', async () => {
    const bytes = randomBytes(20_000);
    const { path, hash } = await fileWith(bytes.subarray(0, 7));
    const tiny: Buffer[] = [];
    for (let offset = 7; offset < bytes.length; offset += 3) tiny.push(bytes.subarray(offset, offset + 3));
    expect(tiny.length).toBeGreaterThan(3 * 1024);
    expect(await append(chunksOf(...tiny), { path, offset: 7, hash })).toEqual({ bytes: bytes.length - 7 });
    expect((await readFile(path)).equals(bytes)).toBe(true);
    expect(await hash.digest(path)).toBe(sha256(bytes));
  });

  it('ends the part when the signal fires, even while the client is silent, keeping what arrived', async () => {
    const { path, hash } = await fileWith(Buffer.alloc(0));
    const source = new PassThrough();
    const chunk = randomBytes(200_000);
    source.write(chunk);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    const part = await append(source, { path, offset: 0, hash, signal: controller.signal });
    expect(part).toMatchObject({ bytes: 200_000, cutOff: { code: 'UPLOAD_ABORTED' } });
    expect(source.destroyed).toBe(false);
    expect((await stat(path)).size).toBe(200_000);
    expect(await hash.digest(path)).toBe(sha256(chunk));
  });

  it('appends 96 MiB past the worker lag and several early flushes, with the right hash', async () => {
    const block = randomBytes(1024 * 1024);
    const { path, hash } = await fileWith(block.subarray(0, 10));
    const blocks = function* () {
      for (let i = 0; i < 96; i++) yield block;
    };
    const part = await append(Readable.from(blocks()), {
      path,
      offset: 10,
      hash,
      earlyFlushBytes: 8 * 1024 * 1024,
    });
    expect(part).toEqual({ bytes: 96 * 1024 * 1024 });
    const expected = createHash('sha256').update(block.subarray(0, 10));
    for (let i = 0; i < 96; i++) expected.update(block);
    expect(await hash.digest(path)).toBe(expected.digest('hex'));
  });
});

describe('RunningFileHash on a worker', () => {
  it('does not count a paused hash as keeping its worker busy', async () => {
    const dir = await tempDir();
    // More paused hashes than the pool has workers (at most 4), one after the other: each still
    // gets a worker, as none is busy once the previous one paused.
    const hashes: RunningFileHash[] = [];
    for (let index = 0; index < 6; index++) {
      const path = join(dir, `paused-${index}`);
      await writeFile(path, randomBytes(1000));
      hashes.push(await RunningFileHash.ofFile(path, 1000, { onWorker: true }));
    }
    expect(hashes.map((hash) => Reflect.get(hash, 'job') !== undefined)).toEqual(hashes.map(() => true));
    for (const hash of hashes) hash.discard();
  });

  it('hashes more paused uploads than there are workers, each resumed correctly', async () => {
    const dir = await tempDir();
    const files = await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (index) => {
        const bytes = randomBytes(2_000_000 + index);
        const path = join(dir, `upload-${index}`);
        await writeFile(path, bytes.subarray(0, 1_000_000));
        return { bytes, path, hash: await RunningFileHash.ofFile(path, 1_000_000, { onWorker: true }) };
      }),
    );
    await Promise.all(
      files.map(({ bytes, path, hash }) =>
        appendToFile(chunksOf(bytes.subarray(1_000_000)), {
          path,
          offset: 1_000_000,
          maxBytes: bytes.length,
          hash,
        }),
      ),
    );
    for (const { bytes, path, hash } of files) expect(await hash.digest(path)).toBe(sha256(bytes));
  });
});
