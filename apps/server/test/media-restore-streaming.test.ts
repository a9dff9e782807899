import { readdir, readlink } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect } from 'vitest';
import { buildJpeg } from '../../../packages/media/test/fixtures/build-photos.js';
import { unzipArchive } from './fixtures/unzip.js';
import { bearer, databaseTargets, sha256Hex } from './helper.js';
import { serverTest } from './server-test.js';

const MiB = 1024 * 1024;
const FILES = 8;
const FILE_SIZE = 6 * MiB;

/** Library files this process (the server) holds open right now. */
async function openLibraryFiles(libraryDir: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((target) => target.startsWith(`${libraryDir}/`) && !target.includes('/.tmp/'));
}

async function until(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(databaseTargets)('restore over a real socket ($label)', (target) => {
  let port: number;
  const uploaded: Buffer[] = [];

  const it = serverTest(target, {
    async seed({ server, owner, upload }) {
      for (let index = 0; index < FILES; index++) {
        const bytes = buildJpeg({ size: FILE_SIZE + index });
        await upload(owner, `IMG_${1000 + index}.JPG`, bytes, `2024-01-0${index + 1}T10:00:00Z`);
        uploaded.push(bytes);
      }
      await server.app.listen({ port: 0, host: '127.0.0.1' });
      port = (server.app.server.address() as AddressInfo).port;
    },
  }).extend(
    'post',
    ({ owner }) =>
      (body: unknown): { response: Promise<IncomingMessage>; abort: () => void } => {
        const payload = JSON.stringify(body);
        const req = request({
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/media/batch/restore',
          headers: {
            ...bearer(owner),
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        });
        const response = new Promise<IncomingMessage>((resolve, reject) => {
          req.on('response', resolve);
          req.on('error', reject);
        });
        req.end(payload);
        return { response, abort: () => req.destroy() };
      },
  );

  it('starts sending at once, reads files only as the client takes them, and closes them when it leaves', async ({
    server,
    post,
  }) => {
    const { response, abort } = post({ from: '2024-01-01T00:00:00Z' });
    const res = await response;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['transfer-encoding']).toBe('chunked');

    // Take the first few bytes, then stop reading like a slow client.
    const first = await new Promise<Buffer>((resolve) => res.once('data', resolve));
    res.pause();
    expect(first.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const open = await openLibraryFiles(server.config.libraryDir);
    // Socket buffers and the stream's look-ahead hold a few MiB: one early file is open, no more.
    expect(open).toHaveLength(1);
    expect(open[0]).toMatch(/IMG_100[0-3]\.JPG$/);

    abort();
    await until(async () => (await openLibraryFiles(server.config.libraryDir)).length === 0);
    // The server is fine afterwards.
    const ping = await server.app.inject({ url: '/api/v1/ping' });
    expect(ping.statusCode).toBe(200);
  });

  it('delivers the whole archive intact over HTTP', async ({ post }) => {
    const { response } = post({ from: '2024-01-01T00:00:00Z' });
    const res = await response;
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const archive = await unzipArchive(Buffer.concat(chunks));
    expect(archive.tested).toBe(true);
    expect(archive.files.size).toBe(FILES);
    uploaded.forEach((bytes, index) => {
      expect(archive.files.get(`IMG_${1000 + index}.JPG`)!.sha256).toBe(sha256Hex(bytes));
    });
  });
});
