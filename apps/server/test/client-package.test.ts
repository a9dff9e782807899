// @iclood/client against the real server over a real socket, as a command-line tool on Node uses
// it: a phone's device token, a phone-sized photo streamed from disk with progress, paging, the
// server's error codes as ApiError, and a revoked token reported through onUnauthorized.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, openAsBlob } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebStream } from 'node:stream/web';
import { ApiError, createClient, pages } from '@iclood/client';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { bearer, databaseTargets, pairPhone } from './helper.js';
import { serverTest } from './server-test.js';

const fileStream = (path: string) =>
  Readable.toWeb(
    createReadStream(path),
  ) as NodeWebStream<Uint8Array> as unknown as ReadableStream<Uint8Array>;

describe.each(databaseTargets)('@iclood/client on Node against the server ($label)', (target) => {
  let folder: string;
  let photoPath: string;

  const it = serverTest(target, {
    phone: "Anna's iPhone",
    listen: true,
  });

  beforeAll(async () => {
    // About a phone photo's size: noise does not compress.
    folder = await mkdtemp(join(tmpdir(), 'iclood-client-'));
    photoPath = join(folder, 'IMG_0001.JPG');
    await sharp(randomBytes(3000 * 2250 * 3), { raw: { width: 3000, height: 2250, channels: 3 } })
      .jpeg({ quality: 88 })
      .toFile(photoPath);
  });
  afterAll(async () => {
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('uploads a 5 MB photo streamed from disk, reporting progress, then finds it by paging', async ({
    base,
    phone,
  }) => {
    const api = createClient({ baseUrl: base, token: phone.token });
    const { size } = await stat(photoPath);
    expect(size).toBeGreaterThan(4_000_000);
    const progress: number[] = [];
    const stored = await api.upload(
      fileStream(photoPath),
      { filename: 'IMG_0001.JPG', localId: 'photo-1', createdAt: '2025-06-01T10:00:00.000Z' },
      { contentType: 'image/jpeg', onProgress: (sent) => progress.push(sent) },
    );
    expect(stored.status).toBe('created');
    expect((await api.getMedia(stored.id)).size).toBe(size);
    const original = await fetch(api.originalUrl(stored.id), { headers: bearer(phone.token) });
    expect(
      createHash('sha256')
        .update(Buffer.from(await original.arrayBuffer()))
        .digest('hex'),
    ).toBe(
      createHash('sha256')
        .update(await readFile(photoPath))
        .digest('hex'),
    );
    // Many reports, rising, ending at every byte.
    expect(progress.length).toBeGreaterThan(10);
    expect(progress.every((sent, index) => index === 0 || sent > progress[index - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(size);

    // The same bytes again, as a Blob this time: a duplicate, nothing stored twice.
    const again = await api.upload(await openAsBlob(photoPath, { type: 'image/jpeg' }), {
      filename: 'IMG_0001 copy.JPG',
    });
    expect(again).toMatchObject({ status: 'duplicate', id: stored.id });

    // Paging: one item per page, every page fetched by its cursor.
    const names: string[] = [];
    for await (const page of pages((cursor) => api.listMedia({ cursor, limit: 1 }))) {
      names.push(...page.items.map((item) => item.name));
    }
    expect(names).toEqual(['IMG_0001.JPG']);
  });

  it("answers with the server's error codes as ApiError", async ({ base, phone }) => {
    const api = createClient({ baseUrl: base, token: phone.token });
    // A phone's token may not list the household's people (admin scope).
    const refused = await api.listUsers().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 403 });
    const missing = await api
      .getMedia('00000000-0000-4000-8000-000000000000')
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const invalid = await api.listMedia({ limit: -1 } as never).catch((error: unknown) => error);
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((invalid as ApiError).details.length).toBeGreaterThan(0);
  });

  it('tells onUnauthorized once the token is revoked; a wrong password at sign-in does not', async ({
    server,
    owner,
    base,
  }) => {
    let ended = 0;
    const revoked = await pairPhone(server.app, owner, 'Old iPhone');
    const api = createClient({ baseUrl: base, token: revoked.token, onUnauthorized: () => (ended += 1) });
    expect((await api.listDevices()).devices.map((device) => device.name)).toContain('Old iPhone');
    const removed = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/devices/${revoked.deviceId}`,
      headers: bearer(owner),
    });
    expect(removed.statusCode).toBe(200);
    await expect(api.listDevices()).rejects.toMatchObject({ status: 401 });
    expect(ended).toBe(1);

    const anonymous = createClient({ baseUrl: base, onUnauthorized: () => (ended += 1) });
    await expect(anonymous.logIn({ username: 'owner', password: 'not the password' })).rejects.toMatchObject({
      status: 401,
      code: 'INVALID_CREDENTIALS',
    });
    expect(ended).toBe(1);
  });

  it('says NETWORK_ERROR when nothing listens', async ({ phone }) => {
    const api = createClient({ baseUrl: 'http://127.0.0.1:9', token: phone.token });
    await expect(api.pingServer()).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });
});
