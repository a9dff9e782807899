import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { discardTemp, receiveToTemp } from '../src/index.js';
import { chunksOf, listDir, tempDir } from './helper.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Splits `bytes` into chunks of varied sizes, as a socket delivers them. */
function* unevenChunks(bytes: Buffer): Generator<Buffer> {
  const sizes = [1, 7, 16384, 65536, 3, 200_000, 1_048_577];
  for (let offset = 0, i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length]!;
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

describe.each([
  { hashing: 'on the event loop', hashOnWorker: false },
  { hashing: 'on a worker thread', hashOnWorker: true },
])('receiveToTemp, hashing $hashing', ({ hashOnWorker }) => {
  const receive = (
    source: Parameters<typeof receiveToTemp>[0],
    options: Parameters<typeof receiveToTemp>[1],
  ) => receiveToTemp(source, { hashOnWorker, ...options });

  it('stores one byte with the same hash and size node:crypto computes', async () => {
    const tmpDir = await tempDir();
    const upload = await receive(chunksOf(Buffer.from([0x2a])), { tmpDir });
    expect(upload).toMatchObject({ size: 1, sha256: sha256(Buffer.from([0x2a])) });
    expect(upload.head).toEqual(Buffer.from([0x2a]));
    expect(await readFile(upload.tempPath)).toEqual(Buffer.from([0x2a]));
  });

  it('streams 10 MB in uneven chunks into <uuid>.part (0600) with the right hash, size and head', async () => {
    const tmpDir = await tempDir();
    const bytes = randomBytes(10_000_000);
    const upload = await receive(Readable.from(unevenChunks(bytes)), { tmpDir });
    expect(upload.size).toBe(bytes.length);
    expect(upload.sha256).toBe(sha256(bytes));
    expect(upload.head).toEqual(bytes.subarray(0, 64 * 1024));
    expect(basename(upload.tempPath)).toMatch(/^[0-9a-f-]{36}\.part$/);
    expect((await stat(upload.tempPath)).mode & 0o777).toBe(0o600);
    expect((await readFile(upload.tempPath)).equals(bytes)).toBe(true);
  });

  it('keeps as many head bytes as asked', async () => {
    const tmpDir = await tempDir();
    const bytes = randomBytes(5000);
    const upload = await receive(chunksOf(bytes.subarray(0, 10), bytes.subarray(10)), {
      tmpDir,
      sniffBytes: 100,
    });
    expect(upload.head).toEqual(bytes.subarray(0, 100));
  });

  it('refuses an empty upload with EMPTY_FILE and leaves no file', async () => {
    const tmpDir = await tempDir();
    await expect(receive(chunksOf(), { tmpDir })).rejects.toMatchObject({ code: 'EMPTY_FILE' });
    await expect(receive(chunksOf(new Uint8Array(0)), { tmpDir })).rejects.toMatchObject({
      code: 'EMPTY_FILE',
    });
    expect(await listDir(tmpDir)).toEqual([]);
  });

  it('stops at maxBytes with FILE_TOO_LARGE, removes the temp file and leaves a Readable to the caller', async () => {
    const tmpDir = await tempDir();
    const source = Readable.from(unevenChunks(randomBytes(3_000_000)), { objectMode: false });
    await expect(receive(source, { tmpDir, maxBytes: 2_000_000 })).rejects.toMatchObject({
      code: 'FILE_TOO_LARGE',
    });
    expect(await listDir(tmpDir)).toEqual([]);
    expect(source.destroyed).toBe(false);
    source.destroy();

    const exact = await receive(chunksOf(randomBytes(1000)), { tmpDir, maxBytes: 1000 });
    expect(exact.size).toBe(1000);
  });

  it('rethrows an error of the source mid-stream and removes the temp file', async () => {
    const tmpDir = await tempDir();
    const broken = new Error('client went away');
    async function* source() {
      yield randomBytes(3_000_000);
      yield randomBytes(10);
      throw broken;
    }
    await expect(receive(source(), { tmpDir })).rejects.toBe(broken);
    expect(await listDir(tmpDir)).toEqual([]);
  });

  it('removes the temp file when a Readable source is destroyed mid-stream', async () => {
    const tmpDir = await tempDir();
    const source = new Readable({ read() {} });
    source.push(randomBytes(2_000_000));
    const receiving = receive(source, { tmpDir });
    setTimeout(() => source.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })), 20);
    await expect(receiving).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(await listDir(tmpDir)).toEqual([]);
  });

  it('stops with UPLOAD_ABORTED when the signal fires, even while the client is silent', async () => {
    const tmpDir = await tempDir();
    const controller = new AbortController();
    async function* stalls() {
      yield randomBytes(2_000_000);
      await new Promise(() => undefined);
    }
    const receiving = receive(stalls(), { tmpDir, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    await expect(receiving).rejects.toMatchObject({
      code: 'UPLOAD_ABORTED',
      cause: new Error('shutting down'),
    });
    expect(await listDir(tmpDir)).toEqual([]);

    await expect(
      receive(chunksOf(Buffer.from('x')), { tmpDir, signal: controller.signal }),
    ).rejects.toMatchObject({
      code: 'UPLOAD_ABORTED',
    });
    expect(await listDir(tmpDir)).toEqual([]);
  });

  it('refuses text chunks, which would corrupt binary data', async () => {
    const tmpDir = await tempDir();
    const source = Readable.from(['not', 'bytes']);
    await expect(receive(source, { tmpDir })).rejects.toThrow(TypeError);
    expect(await listDir(tmpDir)).toEqual([]);
  });
});

describe('receiveToTemp on worker threads', () => {
  it('hashes more concurrent uploads than there are workers, each correctly', async () => {
    const tmpDir = await tempDir();
    const bodies = Array.from({ length: 12 }, (_, i) => randomBytes(1_000_000 + i * 777_777));
    const uploads = await Promise.all(
      bodies.map((body) => receiveToTemp(Readable.from(unevenChunks(body)), { tmpDir, hashOnWorker: true })),
    );
    uploads.forEach((upload, i) => expect(upload.sha256).toBe(sha256(bodies[i]!)));
    const again = await receiveToTemp(chunksOf(bodies[0]!), { tmpDir, hashOnWorker: true });
    expect(again.sha256).toBe(sha256(bodies[0]!));
  });
});

describe('discardTemp', () => {
  it('removes the temp file and ignores one already gone', async () => {
    const tmpDir = await tempDir();
    const upload = await receiveToTemp(chunksOf(Buffer.from('dup')), { tmpDir });
    await discardTemp(upload.tempPath);
    await discardTemp(upload.tempPath);
    expect(await listDir(tmpDir)).toEqual([]);
  });
});
