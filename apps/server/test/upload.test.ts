import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, filesUnder, multipartBody, pngBytes, sha256Hex } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('uploading ($label)', (target) => {
  let shortcut: string;
  const it = serverTest(target, {
    phone: true,
    async seed({ api }) {
      const created = await api('POST', '/devices', { name: 'Shortcut', platform: 'shortcuts' });
      shortcut = created.json().data.token;
    },
  }).extend('library', ({ server }) => server.config.libraryDir);

  it('a Shortcut raw upload and an app multipart upload of the same photo end as one file', async ({
    server,
    phone,
    library,
  }) => {
    const photo = pngBytes(1);
    const raw = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload?filename=IMG_0001.PNG&createdAt=2024-07-14T16:03:12.000Z',
      headers: { ...bearer(shortcut), 'content-type': 'image/png' },
      payload: photo,
    });
    expect(raw.statusCode).toBe(201);
    expect(raw.json()).toMatchObject({ status: 'success', data: { status: 'created' } });
    const id = raw.json().data.id;

    const form = multipartBody([
      { name: 'localId', value: 'ABC-123/L0/001' },
      { name: 'createdAt', value: '2024-07-14T16:03:12.000Z' },
      { name: 'file', filename: 'IMG_0001.PNG', data: photo, contentType: 'image/png' },
    ]);
    const multi = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload',
      headers: { ...bearer(phone.token), ...form.headers },
      payload: form.payload,
    });
    expect(multi.statusCode).toBe(200);
    expect(multi.json().data).toEqual({ id, status: 'duplicate' });

    expect(await filesUnder(library)).toEqual(['owner/2024/07/IMG_0001.PNG']);
    const stored = await readFile(join(library, 'owner/2024/07/IMG_0001.PNG'));
    expect(sha256Hex(stored)).toBe(sha256Hex(photo));
    const row = await server.database.db
      .selectFrom('media')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      sha256: sha256Hex(photo),
      size: photo.length,
      media_type: 'photo',
      mime: 'image/png',
      rel_path: 'owner/2024/07/IMG_0001.PNG',
    });
    expect(row.taken_at.toISOString()).toBe('2024-07-14T16:03:12.000Z');
  });

  it('a different photo with the same name gets "IMG_0002 (2).PNG", never overwriting', async ({
    server,
    phone,
    library,
  }) => {
    const first = pngBytes(2);
    const second = pngBytes(3);
    for (const data of [first, second]) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/api/v1/media/upload?filename=IMG_0002.PNG&createdAt=2023-03-01T10:00:00Z',
        headers: { ...bearer(phone.token), 'content-type': 'application/octet-stream' },
        payload: data,
      });
      expect(response.statusCode).toBe(201);
    }
    const files = (await filesUnder(library)).filter((f) => f.startsWith('owner/2023/03/'));
    expect(files).toEqual(['owner/2023/03/IMG_0002 (2).PNG', 'owner/2023/03/IMG_0002.PNG']);
    expect(sha256Hex(await readFile(join(library, 'owner/2023/03/IMG_0002.PNG')))).toBe(sha256Hex(first));
  });

  it('a name whose file was removed from the disk by hand (its row remains) is skipped, not a 500', async ({
    server,
    phone,
    library,
  }) => {
    const upload = (data: Buffer) =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/media/upload?filename=IMG_0077.PNG&createdAt=2022-11-05T10:00:00Z',
        headers: { ...bearer(phone.token), 'content-type': 'application/octet-stream' },
        payload: data,
      });
    const first = await upload(pngBytes(77));
    expect(first.statusCode).toBe(201);
    await unlink(join(library, 'owner/2022/11/IMG_0077.PNG'));

    const second = pngBytes(78);
    const response = await upload(second);
    expect(response.statusCode).toBe(201);
    const row = await server.database.db
      .selectFrom('media')
      .select(['rel_path', 'sha256'])
      .where('id', '=', response.json().data.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ rel_path: 'owner/2022/11/IMG_0077 (2).PNG', sha256: sha256Hex(second) });
    expect((await filesUnder(library)).filter((f) => f.startsWith('owner/2022/11/'))).toEqual([
      'owner/2022/11/IMG_0077 (2).PNG',
    ]);
    expect(sha256Hex(await readFile(join(library, row.rel_path)))).toBe(sha256Hex(second));
    // Neither the temp file nor the intent of the refused first placement is left behind.
    expect(await readdir(join(library, '.tmp'))).toEqual([]);
  });

  it('X-Content-SHA256 of a known photo answers duplicate without a body', async ({ server, phone }) => {
    const photo = pngBytes(4);
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload?filename=a.png',
      headers: bearer(phone.token),
      payload: photo,
    });
    const known = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload?filename=renamed.png',
      headers: { ...bearer(phone.token), 'x-content-sha256': sha256Hex(photo).toUpperCase() },
    });
    expect(known.statusCode).toBe(200);
    expect(known.json().data).toEqual({ id: created.json().data.id, status: 'duplicate' });
  });

  it('concurrent uploads of the same bytes under different names store one file', async ({
    server,
    phone,
    library,
  }) => {
    const photo = pngBytes(5);
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        server.app.inject({
          method: 'POST',
          url: `/api/v1/media/upload?filename=race-${i}.png&createdAt=2022-02-02T12:00:00Z`,
          headers: bearer(phone.token),
          payload: photo,
        }),
      ),
    );
    const statuses = responses.map((r) => r.json().data.status).sort();
    expect(statuses).toEqual(['created', 'duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(new Set(responses.map((r) => r.json().data.id)).size).toBe(1);
    expect((await filesUnder(library)).filter((f) => f.startsWith('owner/2022/02/'))).toHaveLength(1);
    expect(await filesUnder(join(library, '.tmp'))).toEqual([]);
  });

  it('the same photo for two users is stored once for each', async ({ server, library }) => {
    const photo = pngBytes(6);
    const owner = (
      await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'owner', password: 'correct horse battery staple' },
      })
    ).json().data.token;
    await server.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(owner),
      payload: { username: 'kid', password: 'kid-password' },
    });
    const kid = (
      await server.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: 'kid', password: 'kid-password' },
      })
    ).json().data.token;
    for (const token of [owner, kid]) {
      const response = await server.app.inject({
        method: 'POST',
        url: '/api/v1/media/upload?filename=shared.png&createdAt=2021-01-05T12:00:00Z',
        headers: bearer(token),
        payload: photo,
      });
      expect(response.statusCode).toBe(201);
    }
    const files = await filesUnder(library);
    expect(files).toContain('owner/2021/01/shared.png');
    expect(files).toContain('kid/2021/01/shared.png');
  });
});
