// Resumable uploads with the reference tus client, unchanged, against a real listening server: a
// ~5 MB photo in 1 MiB chunks, the connection destroyed by the server in the middle of a chunk,
// then resumed — in the same process, and across a server restart. The bytes that cross the wire
// after the cut are counted on the server: only the remainder is sent again.
import { readFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { afterAll, describe, expect } from 'vitest';
import { buildApp } from '../src/app.js';
import { noiseJpeg } from './fixtures/noise-jpeg.js';
import { bearer, databaseTargets, filesUnder, sha256Hex, type TestServer } from './helper.js';
import { serverTest, type Phone } from './server-test.js';

const MiB = 1024 * 1024;
/** Request headers of the few requests a resume makes (HEAD, PATCHes): far below one chunk. */
const HEADER_SLACK_BYTES = 16 * 1024;

describe.each(databaseTargets)('tus-js-client uploads, cut and resumed ($label)', (target) => {
  let server: TestServer;
  let phone: Phone;
  let port = 0;
  let photo: Buffer;
  /** Bytes the server's sockets received (headers and bodies) since the last reset. */
  let received = 0;
  /** When set, the socket that makes `received` reach it is destroyed, mid-request. */
  let cutAt: number | undefined;

  const countBytes = (socket: Socket) => {
    socket.on('data', (data: Buffer) => {
      received += data.length;
      if (cutAt !== undefined && received >= cutAt) {
        cutAt = undefined;
        socket.destroy();
      }
    });
  };

  const it = serverTest(target, {
    phone: true,
    listen: true,
    async seed(context) {
      ({ server, phone } = context);
      server.app.server.on('connection', countBytes);
      port = Number(new URL(context.base).port);
      // A real ~5 MB phone photo: noise does not compress.
      photo = await noiseJpeg(2800, 2100);
    },
  });

  let restarted = false;
  /** Stops the app (not its database or data folder) and starts a new one on the same port. */
  async function restart() {
    await server.app.close();
    restarted = true;
    server.app = await buildApp(server.config, {
      database: server.database,
      now: server.clock.now,
      logStream: { write: (line: string) => void server.logs.push(line) },
      jobs: { paused: true },
    });
    await server.app.ready();
    server.app.server.on('connection', countBytes);
    await server.app.listen({ port, host: '127.0.0.1' });
  }
  // After serverTest's afterAll in the block, so run before it (hooks after tests run in reverse):
  // the app a restart started is closed before serverTest closes the first one and the database.
  afterAll(async () => {
    if (restarted) await server.app.close();
  });

  function upload(file: Buffer, options: tus.UploadOptions) {
    let resolve!: (response: tus.HttpResponse) => void;
    let reject!: (error: Error) => void;
    const done = new Promise<tus.HttpResponse>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const client = new tus.Upload(file, {
      endpoint: `http://127.0.0.1:${port}/api/v1/uploads`,
      chunkSize: MiB,
      retryDelays: [],
      headers: bearer(phone.token),
      onSuccess: ({ lastResponse }) => resolve(lastResponse),
      onError: (error) => reject(error),
      ...options,
    });
    client.start();
    return { client, done };
  }

  async function offsetOf(url: string): Promise<number> {
    const response = await fetch(url, {
      method: 'HEAD',
      headers: { ...bearer(phone.token), 'tus-resumable': '1.0.0' },
    });
    expect(response.status).toBe(200);
    return Number(response.headers.get('upload-offset'));
  }

  /** The offset once the cut request has been wound up (its received bytes fsynced and recorded). */
  async function settledOffset(url: string): Promise<number> {
    let last = -1;
    for (;;) {
      const offset = await offsetOf(url);
      if (offset === last) return offset;
      last = offset;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }

  async function expectStoredAsSent(response: tus.HttpResponse, file: Buffer) {
    expect(response.getStatus(), response.getBody()).toBe(201);
    const body = JSON.parse(response.getBody()) as { data: { id: string; status: string } };
    expect(body.data.status).toBe('created');
    const row = await server.database.db
      .selectFrom('media')
      .select(['rel_path', 'sha256', 'size', 'device_id', 'original_name'])
      .where('id', '=', body.data.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ sha256: sha256Hex(file), size: file.length, device_id: phone.deviceId });
    const stored = await readFile(join(server.config.libraryDir, row.rel_path));
    expect(stored.equals(file)).toBe(true);
    // Nothing of the upload is left behind: no row, no bytes in the library's .tmp.
    expect(await server.database.db.selectFrom('partial_uploads').select('id').execute()).toEqual([]);
    expect(await filesUnder(join(server.config.libraryDir, '.tmp'))).toEqual([]);
    return row;
  }

  async function cutThenResume(file: Buffer, name: string, between: () => Promise<void>) {
    // The cut falls in the middle of the third 1 MiB chunk.
    received = 0;
    cutAt = 2.5 * MiB;
    const first = upload(file, { metadata: { filename: name, createdAt: '2024-07-14T16:03:00Z' } });
    await expect(first.done).rejects.toThrow();
    const url = first.client.url!;
    expect(url).toMatch(/\/api\/v1\/uploads\/[0-9a-f-]{36}$/);
    const kept = await settledOffset(url);
    // Two whole chunks and what had arrived of the third: the part cut off is kept, not redone.
    expect(kept).toBeGreaterThan(2 * MiB);
    expect(kept).toBeLessThan(2.5 * MiB);

    await between();
    expect(await offsetOf(url)).toBe(kept);

    received = 0;
    const second = upload(file, { uploadUrl: url, metadata: { filename: name } });
    const response = await second.done;
    const remainder = file.length - kept;
    expect(received).toBeGreaterThanOrEqual(remainder);
    expect(received).toBeLessThan(remainder + HEADER_SLACK_BYTES);
    return expectStoredAsSent(response, file);
  }

  it('a ≥ 5 MB photo sent in 1 MiB chunks without a cut is stored byte for byte', async () => {
    const file = await noiseJpeg(2600, 2000);
    expect(file.length).toBeGreaterThan(4 * MiB);
    received = 0;
    const { done } = upload(file, { metadata: { filename: 'IMG_0100.JPG' } });
    await expectStoredAsSent(await done, file);
    expect(received).toBeLessThan(file.length + HEADER_SLACK_BYTES);
  });

  it('resumes from the byte where a destroyed connection stopped, sending only the remainder', async () => {
    expect(photo.length).toBeGreaterThan(5 * 1000 * 1000);
    const row = await cutThenResume(photo, 'IMG_0101.JPG', async () => {});
    expect(row.original_name).toBe('IMG_0101.JPG');
    expect(row.rel_path).toMatch(/2024\/07\/IMG_0101\.JPG$/);
  });

  it('resumes across a server restart: the acknowledged bytes are still there, hashed again once', async () => {
    const file = await noiseJpeg(2800, 2100);
    await cutThenResume(file, 'IMG_0102.JPG', restart);
  });
});
