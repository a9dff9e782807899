// A resumable upload through a kill -9 of the built server: the part acknowledged before the
// crash is still there after the restart (offset and bytes), the part that was arriving when the
// process died is not counted, and the upload completes from the acknowledged offset.
import { stat, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from '@iclood/db/testing';
import { exitOf, startServer, type RunningServer } from './built-server.js';
import { noiseJpeg } from './fixtures/noise-jpeg.js';
import { databaseTargets, sha256Hex } from './helper.js';

const MiB = 1024 * 1024;
const TUS = { 'tus-resumable': '1.0.0' };
const PASSWORD = 'crash-test-password';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe.each(databaseTargets)('a resumable upload through kill -9 ($label)', (target) => {
  it('keeps the acknowledged offset and bytes, drops the part in flight, and completes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'iclood-tus-crash-'));
    const dataDir = join(root, 'data');
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    let database: TestDatabase | undefined;
    if (target.kind === 'postgres') {
      database = await target.create();
      cleanups.push(() => database!.destroy());
    }
    const env = {
      ICLOOD_DATA_DIR: dataDir,
      ICLOOD_MIN_FREE_BYTES: '0',
      ICLOOD_ADMIN_USERNAME: 'owner',
      ICLOOD_ADMIN_PASSWORD: PASSWORD,
      ...(database ? { DATABASE_URL: database.url! } : {}),
    };
    const running: RunningServer[] = [];
    cleanups.push(async () => {
      for (const server of running) if (server.child.exitCode === null) server.child.kill('SIGKILL');
    });
    const start = async () => {
      const server = await startServer(env);
      running.push(server);
      return server;
    };

    let server = await start();
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'owner', password: PASSWORD }),
    });
    const auth = {
      authorization: `Bearer ${((await login.json()) as { data: { token: string } }).data.token}`,
    };
    const file = await noiseJpeg(1800, 1400);
    expect(file.length).toBeGreaterThan(2 * MiB);

    const created = await fetch(`${server.url}/api/v1/uploads`, {
      method: 'POST',
      headers: {
        ...auth,
        ...TUS,
        'upload-length': String(file.length),
        'upload-metadata': `filename ${Buffer.from('IMG_0900.JPG').toString('base64')}`,
      },
    });
    expect(created.status).toBe(201);
    const path = created.headers.get('location')!;
    const id = path.split('/').pop()!;
    const partFile = join(dataDir, 'library', '.tmp', 'resumable', id);
    const patch = (url: string, offset: number, body: Buffer) =>
      fetch(`${url}${path}`, {
        method: 'PATCH',
        headers: {
          ...auth,
          ...TUS,
          'upload-offset': String(offset),
          'content-type': 'application/offset+octet-stream',
        },
        body,
      });
    const acknowledged = await patch(server.url, 0, file.subarray(0, MiB));
    expect(acknowledged.status).toBe(204);
    expect(acknowledged.headers.get('upload-offset')).toBe(String(MiB));

    // The next part is half sent, and in the file, when the process dies.
    const inFlight = request(`${server.url}${path}`, {
      method: 'PATCH',
      headers: {
        ...auth,
        ...TUS,
        'upload-offset': String(MiB),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(file.length - MiB),
      },
    });
    inFlight.on('error', () => undefined);
    inFlight.write(file.subarray(MiB, MiB + MiB / 2));
    while ((await stat(partFile)).size <= MiB) await new Promise((resolve) => setTimeout(resolve, 10));
    server.child.kill('SIGKILL');
    await exitOf(server.child);

    server = await start();
    const head = await fetch(`${server.url}${path}`, { method: 'HEAD', headers: { ...auth, ...TUS } });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(MiB));
    // What was acknowledged is on disk as sent.
    expect((await readFile(partFile)).subarray(0, MiB).equals(file.subarray(0, MiB))).toBe(true);

    const rest = await patch(server.url, MiB, file.subarray(MiB));
    expect(rest.status).toBe(201);
    const { data } = (await rest.json()) as { data: { id: string; status: string } };
    expect(data.status).toBe('created');
    const original = await fetch(`${server.url}/api/v1/media/${data.id}/original`, { headers: auth });
    expect(sha256Hex(Buffer.from(await original.arrayBuffer()))).toBe(sha256Hex(file));
    server.child.kill('SIGTERM');
    await exitOf(server.child);
  });
});
