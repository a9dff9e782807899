import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { describe, expect } from 'vitest';
import { insertMedia } from '@iclood/db';
import { buildJpeg } from '../../../packages/media/test/fixtures/build-photos.js';
import { buildMovie } from '../../../packages/media/test/fixtures/build-quicktime.js';
import { unzipArchive } from './fixtures/unzip.js';
import { bearer, databaseTargets, login, OWNER, pngBytes, sha256Hex } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('restoring originals as a ZIP ($label)', (target) => {
  let ownerId: string;
  const items: Record<string, { id: string; bytes: Buffer }> = {};
  let albumId: string;

  async function archiveOf(response: LightMyRequestResponse) {
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
    const archive = await unzipArchive(response.rawPayload);
    expect(archive.tested).toBe(true);
    return archive.files;
  }

  const it = serverTest(target, {
    member: 'member',
    async seed({ server, owner, member, api, upload: uploadRaw }) {
      const upload = async (token: string, filename: string, bytes: Buffer, createdAt?: string) => ({
        id: await uploadRaw(token, filename, bytes, createdAt),
        bytes,
      });
      ownerId = (await api('GET', '/auth/me')).json().data.user.id;
      items.a = await upload(owner, 'IMG_0001.PNG', pngBytes(1), '2024-01-10T10:00:00Z');
      items.b = await upload(owner, 'IMG_0001.PNG', pngBytes(2), '2024-02-10T10:00:00Z');
      items.c = await upload(owner, 'img_0001.png', pngBytes(3), '2024-03-10T10:00:00Z');
      items.d = await upload(owner, 'photo.jpg', buildJpeg({ size: 60_000 }), '2024-04-10T10:00:00Z');
      items.e = await upload(
        owner,
        'IMG_0300.MOV',
        buildMovie({
          keys: { 'com.apple.quicktime.creationdate': '2022-06-30T23:45:10+0100' },
          timescale: 600,
          duration: 600,
          tracks: [{ handler: 'vide', width: 1920, height: 1080 }],
          mdatLength: 200_000,
        }),
      );
      items.f = await upload(owner, 'Été 📷.png', pngBytes(4), '2024-05-10T10:00:00Z');
      items.trashed = await upload(owner, 'trashed.png', pngBytes(5), '2024-01-15T10:00:00Z');
      items.m = await upload(member.token, 'IMG_0001.PNG', pngBytes(10), '2024-01-20T10:00:00Z');
      const { db } = server.database;
      await db
        .updateTable('media')
        .set({ trashed_at: server.clock.now() })
        .where('id', '=', items.trashed.id)
        .execute();
      albumId = (
        await db
          .insertInto('albums')
          .values({ user_id: ownerId, name: 'Summer' })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      await db
        .insertInto('album_media')
        .values(
          [items.a!.id, items.e!.id, items.trashed!.id].map((id) => ({ album_id: albumId, media_id: id })),
        )
        .execute();
    },
  }).extend(
    'restore',
    ({ api }) =>
      (payload: unknown, token?: string) =>
        api('POST', '/media/batch/restore', payload, token),
  );

  it('streams the chosen originals byte for byte, names made unique, trash left out', async ({ restore }) => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'trashed'].map((key) => items[key]!.id);
    const response = await restore({ ids });
    expect(response.headers['content-type']).toBe('application/zip');
    expect(response.headers['content-disposition']).toBe(
      // An ASCII name needs no UTF-8 `filename*` beside it.
      'attachment; filename="iclood-owner-2026-11-21-1000.zip"',
    );
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-length']).toBeUndefined();
    const files = await archiveOf(response);
    const expected: Record<string, Buffer> = {
      'IMG_0001.PNG': items.a!.bytes,
      'IMG_0001 (2).PNG': items.b!.bytes,
      'img_0001 (3).png': items.c!.bytes,
      'photo.jpg': items.d!.bytes,
      'IMG_0300.MOV': items.e!.bytes,
      'Été 📷.png': items.f!.bytes,
    };
    expect([...files.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, bytes] of Object.entries(expected))
      expect(files.get(name)!.sha256, name).toBe(sha256Hex(bytes));
  });

  it('restores a range of dates taken, oldest first, and an album', async ({ restore }) => {
    const range = await archiveOf(
      await restore({ from: '2024-02-01T00:00:00Z', to: '2024-04-01T00:00:00Z' }),
    );
    expect([...range.keys()].sort()).toEqual(['IMG_0001.PNG', 'img_0001 (2).png']);
    expect(range.get('IMG_0001.PNG')!.sha256).toBe(sha256Hex(items.b!.bytes));

    const openEnded = await archiveOf(await restore({ to: '2024-01-01T00:00:00Z' }));
    expect([...openEnded.keys()]).toEqual(['IMG_0300.MOV']);

    const album = await archiveOf(await restore({ album: albumId }));
    expect([...album.keys()].sort()).toEqual(['IMG_0001.PNG', 'IMG_0300.MOV']);
    expect(album.get('IMG_0001.PNG')!.sha256).toBe(sha256Hex(items.a!.bytes));
  });

  it('never gives a member another user’s items', async ({ member, restore }) => {
    const mine = await archiveOf(await restore({ ids: [items.a!.id, items.m!.id] }, member.token));
    expect([...mine.keys()]).toEqual(['IMG_0001.PNG']);
    expect(mine.get('IMG_0001.PNG')!.sha256).toBe(sha256Hex(items.m!.bytes));

    const everything = await archiveOf(await restore({ from: '2000-01-01T00:00:00Z' }, member.token));
    expect([...everything.values()].map((file) => file.sha256)).toEqual([sha256Hex(items.m!.bytes)]);

    const others = await restore({ ids: [items.a!.id, items.b!.id] }, member.token);
    expect(others.statusCode).toBe(404);
    expect(others.json().error.code).toBe('NOTHING_TO_RESTORE');
    const album = await restore({ album: albumId }, member.token);
    expect(album.statusCode).toBe(404);
    expect(album.json().error.code).toBe('NOT_FOUND');

    const ownerAll = await archiveOf(await restore({ from: '2000-01-01T00:00:00Z' }));
    expect([...ownerAll.values()].some((file) => file.sha256 === sha256Hex(items.m!.bytes))).toBe(false);
  });

  it('answers an empty selection with 404 NOTHING_TO_RESTORE before any ZIP byte', async ({ restore }) => {
    for (const payload of [
      { from: '2030-01-01T00:00:00Z' },
      { ids: [items.trashed!.id] },
      { ids: [randomUUID()] },
      { album: randomUUID() },
    ]) {
      const response = await restore(payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.json().error.code).toBe('album' in payload ? 'NOT_FOUND' : 'NOTHING_TO_RESTORE');
    }
  });

  it('refuses malformed selections with 400', async ({ server, owner, restore }) => {
    const cases: Array<[unknown, string]> = [
      [{}, 'BAD_REQUEST'],
      [{ ids: [items.a!.id], from: '2024-01-01T00:00:00Z' }, 'BAD_REQUEST'],
      [{ album: albumId, to: '2024-01-01T00:00:00Z' }, 'BAD_REQUEST'],
      [{ from: '2024-05-01T00:00:00Z', to: '2024-05-01T00:00:00Z' }, 'BAD_REQUEST'],
      [{ ids: ['not-a-uuid'] }, 'VALIDATION_FAILED'],
      [{ ids: [] }, 'VALIDATION_FAILED'],
      [{ ids: Array.from({ length: 10_001 }, () => randomUUID()) }, 'VALIDATION_FAILED'],
      [{ from: 'yesterday' }, 'VALIDATION_FAILED'],
      [{ album: albumId, everything: true }, 'VALIDATION_FAILED'],
    ];
    for (const [payload, code] of cases) {
      const response = await restore(payload);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 100)).toBe(400);
      expect(response.json().error.code).toBe(code);
    }
    const text = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/batch/restore',
      headers: { ...bearer(owner), 'content-type': 'text/plain' },
      payload: 'everything please',
    });
    expect(text.statusCode).toBe(415);
  });

  it('accepts a browser form post with the session cookie, and refuses one from another site', async ({
    server,
  }) => {
    const cookie = (await login(server.app, OWNER.username, OWNER.password)).json().data.token as string;
    const form = (body: string, origin = 'http://localhost') =>
      server.app.inject({
        method: 'POST',
        url: '/api/v1/media/batch/restore',
        cookies: { iclood_session: cookie },
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        payload: body,
      });

    const byIds = await archiveOf(
      await form(`ids=${items.a!.id}&ids=${items.d!.id}%2C${items.e!.id}&from=&to=&album=`),
    );
    expect([...byIds.keys()].sort()).toEqual(['IMG_0001.PNG', 'IMG_0300.MOV', 'photo.jpg']);
    const byDates = await archiveOf(
      await form('from=2024-02-01T00%3A00%3A00Z&to=2024-04-01T00%3A00%3A00Z&ids=&album='),
    );
    expect(byDates.size).toBe(2);

    const crossSite = await form(`ids=${items.a!.id}`, 'https://evil.example');
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.json().error.code).toBe('CROSS_SITE_REQUEST');
    for (const body of [
      'ids=nope',
      'from=2024-01-01T00%3A00%3A00Z&from=2024-02-01T00%3A00%3A00Z',
      '',
      'x=1',
    ]) {
      const response = await form(body);
      expect(response.statusCode, body).toBe(400);
    }
    const tooBig = await form(`ids=${'a'.repeat(1024 * 1024 + 1)}`);
    expect(tooBig.statusCode).toBe(413);
  });

  it('leaves out an original missing from the disk and lists it in MISSING.txt', async ({
    server,
    owner,
    upload,
    restore,
  }) => {
    const gone = { id: await upload(owner, 'gone.png', pngBytes(6), '2024-06-10T10:00:00Z') };
    const detail = (
      await server.app.inject({ url: `/api/v1/media/${gone.id}`, headers: bearer(owner) })
    ).json().data;
    await unlink(join(server.config.libraryDir, detail.relPath));
    const files = await archiveOf(await restore({ ids: [items.d!.id, gone.id] }));
    expect([...files.keys()].sort()).toEqual(['MISSING.txt', 'photo.jpg']);
    expect(files.get('photo.jpg')!.sha256).toBe(sha256Hex(items.d!.bytes));
    const missing = files.get('MISSING.txt')!.bytes.toString('utf8');
    expect(missing).toMatch(/^1 item\(s\) of your iClood library could not be read/);
    expect(missing).toContain(`gone.png\ttaken 2024-06-10T10:00:00.000Z\tid ${gone.id}\tfile not found`);
    expect(missing).not.toContain(server.config.libraryDir);
    expect(server.logs.some((line) => line.includes('originals missing from the library'))).toBe(true);
  });

  it('reads a large selection in batches and keeps every name unique', async ({ server, restore }) => {
    // 450 items straight into the library and the database: three batches of rows.
    const dir = join(server.config.libraryDir, 'owner', '2023', '01');
    await mkdir(dir, { recursive: true });
    const seeded: Array<{ name: string; bytes: Buffer }> = [];
    for (let index = 0; index < 450; index++) {
      const bytes = randomBytes(500 + index);
      const fileName = `seed-${index}.jpg`;
      await writeFile(join(dir, fileName), bytes);
      const originalName = index % 150 === 0 ? 'IMG_5000.JPG' : `IMG_${index}.JPG`;
      await insertMedia(server.database.db, {
        userId: ownerId,
        originalName,
        relPath: `owner/2023/01/${fileName}`,
        sha256: sha256Hex(bytes),
        size: bytes.length,
        mediaType: 'photo',
        mime: 'image/jpeg',
        takenAt: new Date(Date.UTC(2023, 0, 1 + (index % 28), 12, 0, index % 60)),
      });
      seeded.push({ name: originalName, bytes });
    }
    const files = await archiveOf(
      await restore({ from: '2023-01-01T00:00:00Z', to: '2023-02-01T00:00:00Z' }),
    );
    expect(files.size).toBe(450);
    expect([...files.keys()].filter((name) => name.startsWith('IMG_5000')).sort()).toEqual([
      'IMG_5000 (2).JPG',
      'IMG_5000 (3).JPG',
      'IMG_5000.JPG',
    ]);
    const archived = new Set([...files.values()].map((file) => file.sha256));
    expect(seeded.every(({ bytes }) => archived.has(sha256Hex(bytes)))).toBe(true);
  });
});
