import { describe, expect } from 'vitest';
import { buildCameraExif, IPHONE_EXIF } from '../../../packages/media/test/fixtures/build-exif.js';
import { buildJpeg } from '../../../packages/media/test/fixtures/build-photos.js';
import { buildMovie } from '../../../packages/media/test/fixtures/build-quicktime.js';
import { bearer, databaseTargets, pngBytes } from './helper.js';
import { serverTest } from './server-test.js';

const DAY = 86_400_000;
const START = Date.parse('2024-02-01T12:00:00.000Z');

interface ListedItem {
  id: string;
  name: string;
  type: string;
  takenAt: string;
  uploadedAt: string;
}

describe.each(databaseTargets)('browsing the library ($label)', (target) => {
  /** The 25 PNGs, in upload order: photo i was taken on day i. */
  const photoIds: string[] = [];
  const it = serverTest(target, {
    phone: true,
    member: 'mia',
    async seed({ server, owner, phone, upload }) {
      for (let i = 0; i < 25; i++) {
        server.clock.advance(60_000);
        const takenAt = new Date(START + i * DAY).toISOString();
        photoIds.push(
          await upload(i < 5 ? phone.token : owner, `IMG_${1000 + i}.PNG`, pngBytes(100 + i), takenAt),
        );
      }
    },
  })
    .extend('list', ({ server, owner }) => async (query: string, token = owner) => {
      const response = await server.app.inject({
        url: `/api/v1/media/list?${query}`,
        headers: bearer(token),
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().data as { items: ListedItem[]; nextCursor: string | null };
    })
    .extend('listAll', ({ list }) => async (query: string, token?: string): Promise<string[]> => {
      const ids: string[] = [];
      let page = await list(`limit=10&${query}`, token);
      ids.push(...page.items.map((item) => item.id));
      while (page.nextCursor) {
        page = await list(`limit=10&${query}&cursor=${page.nextCursor}`, token);
        ids.push(...page.items.map((item) => item.id));
      }
      return ids;
    });

  it('pages 25 items 10 at a time, newest taken first, each once; the last page has no cursor', async ({
    list,
    listAll,
  }) => {
    const first = await list('limit=10');
    expect(first.items).toHaveLength(10);
    expect(first.items[0]).toMatchObject({
      id: photoIds[24],
      type: 'photo',
      name: 'IMG_1024.PNG',
      takenAt: new Date(START + 24 * DAY).toISOString(),
      takenAtOffsetMinutes: null,
      size: expect.any(Number),
      mime: 'image/png',
      width: 8,
      height: 8,
      durationMs: null,
      favorite: false,
      thumbnail: 'pending',
    });
    expect(Object.keys(first.items[0]!)).not.toContain('relPath');
    expect(await listAll('')).toEqual([...photoIds].reverse());
    const third = await list(
      `limit=10&cursor=${(await list(`limit=10&cursor=${first.nextCursor}`)).nextCursor}`,
    );
    expect(third.items).toHaveLength(5);
    expect(third.nextCursor).toBeNull();
  });

  it('stays stable when items arrive between pages', async ({ server, owner, upload, list, listAll }) => {
    const first = await list('limit=10');
    // One newer than everything, one in the middle of the page already read: neither shifts the next page.
    const newer = await upload(owner, 'NEW_1.PNG', pngBytes(900), new Date(START + 30 * DAY).toISOString());
    const inside = await upload(
      owner,
      'NEW_2.PNG',
      pngBytes(901),
      new Date(START + 20 * DAY + 1000).toISOString(),
    );
    const second = await list(`limit=10&cursor=${first.nextCursor}`);
    expect(second.items.map((item) => item.id)).toEqual([...photoIds].reverse().slice(10, 20));
    const all = await listAll('');
    expect(all).toHaveLength(27);
    expect(new Set(all).size).toBe(27);
    await server.database.db.deleteFrom('media').where('id', 'in', [newer, inside]).execute();
  });

  it('sorts by upload time when asked', async ({ list, listAll }) => {
    const items = (await list('limit=3&sort=uploaded')).items;
    expect(items.map((item) => item.id)).toEqual([photoIds[24], photoIds[23], photoIds[22]]);
    expect(await listAll('sort=uploaded')).toEqual([...photoIds].reverse());
  });

  it('filters by date taken, type, favorite, device and name; the trash is left out', async ({
    server,
    owner,
    phone,
    upload,
    list,
    listAll,
  }) => {
    const newestFirst = (ids: string[]) => [...ids].reverse();
    const iso = (day: number) => new Date(START + day * DAY).toISOString();
    expect(await listAll(`from=${iso(3)}&to=${iso(7)}`)).toEqual(newestFirst(photoIds.slice(3, 7)));
    expect(await listAll(`device=${phone.deviceId}`)).toEqual(newestFirst(photoIds.slice(0, 5)));
    expect(await listAll('q=img_101')).toEqual(newestFirst(photoIds.slice(10, 20)));

    await server.database.db
      .updateTable('media')
      .set({ favorite: true })
      .where('id', 'in', photoIds.slice(0, 2))
      .execute();
    await server.database.db
      .updateTable('media')
      .set({ display_name: 'Sunset at the pier' })
      .where('id', '=', photoIds[8]!)
      .execute();
    await server.database.db
      .updateTable('media')
      .set({ trashed_at: new Date() })
      .where('id', '=', photoIds[9]!)
      .execute();
    expect(await listAll('favorite=true')).toEqual(newestFirst(photoIds.slice(0, 2)));
    expect(await listAll('favorite=false')).toHaveLength(22);
    expect((await list('q=SUNSET')).items).toMatchObject([{ id: photoIds[8], name: 'Sunset at the pier' }]);
    expect(await listAll('')).not.toContain(photoIds[9]);

    const movie = buildMovie({
      keys: { 'com.apple.quicktime.creationdate': '2022-06-30T23:45:10+0100' },
      timescale: 600,
      duration: 600 * 12,
      tracks: [{ handler: 'vide', width: 1920, height: 1080 }],
    });
    const video = await upload(owner, 'IMG_0300.MOV', movie);
    expect((await list('type=video')).items).toMatchObject([
      { id: video, type: 'video', mime: 'video/quicktime', durationMs: 12_000, width: 1920, height: 1080 },
    ]);
    expect(await listAll('type=photo')).not.toContain(video);

    await server.database.db
      .updateTable('media')
      .set({ favorite: false, display_name: null, trashed_at: null })
      .execute();
    await server.database.db.deleteFrom('media').where('id', '=', video).execute();
  });

  it('refuses a bad cursor and bad filters', async ({ server, owner }) => {
    for (const query of [
      'cursor=bm9wZQ',
      'limit=0',
      'limit=501',
      'type=gif',
      'device=nope',
      'sort=name',
      'from=yesterday',
    ]) {
      const response = await server.app.inject({
        url: `/api/v1/media/list?${query}`,
        headers: bearer(owner),
      });
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('shows a member only their own items', async ({ server, member, upload, list, listAll }) => {
    expect((await list('', member.token)).items).toEqual([]);
    const mine = await upload(member.token, 'MINE.PNG', pngBytes(500));
    expect(await listAll('', member.token)).toEqual([mine]);
    expect(await listAll('')).not.toContain(mine);
    const theirs = await server.app.inject({
      url: `/api/v1/media/${photoIds[0]}`,
      headers: bearer(member.token),
    });
    expect(theirs.statusCode).toBe(404);
    expect(theirs.json().error.code).toBe('NOT_FOUND');
    await server.database.db.deleteFrom('media').where('id', '=', mine).execute();
  });

  it('counts per month of the local date taken, newest first', async ({ server, owner, member, upload }) => {
    const response = await server.app.inject({
      url: '/api/v1/media/timeline',
      headers: bearer(member.token),
    });
    expect(response.json().data).toEqual({ months: [] });
    // 22:30 UTC on Dec 31 2023 at +02:00: January 2024 on the camera's calendar.
    const jpeg = buildJpeg({
      tiff: buildCameraExif({
        ...IPHONE_EXIF,
        dateTimeOriginal: '2024:01:01 00:30:00',
        offsetTimeOriginal: '+02:00',
      }),
      size: 20_000,
    });
    const id = await upload(member.token, 'IMG_0100.JPG', jpeg);
    await upload(member.token, 'A.PNG', pngBytes(501), '2023-12-31T22:30:00Z');
    await upload(member.token, 'B.PNG', pngBytes(502), '2023-12-15T10:00:00Z');
    const trashed = await upload(member.token, 'C.PNG', pngBytes(503), '2023-11-15T10:00:00Z');
    await server.database.db
      .updateTable('media')
      .set({ trashed_at: new Date() })
      .where('id', '=', trashed)
      .execute();
    const timeline = await server.app.inject({
      url: '/api/v1/media/timeline',
      headers: bearer(member.token),
    });
    expect(timeline.statusCode).toBe(200);
    expect(timeline.json().data).toEqual({
      months: [
        { year: 2024, month: 1, count: 1 },
        { year: 2023, month: 12, count: 2 },
      ],
    });
    const ownerTimeline = await server.app.inject({ url: '/api/v1/media/timeline', headers: bearer(owner) });
    // Days 0–24 from February 1, 2024 (a leap year) all fall in February.
    expect(ownerTimeline.json().data.months[0]).toEqual({ year: 2024, month: 2, count: 25 });

    const detail = await server.app.inject({ url: `/api/v1/media/${id}`, headers: bearer(member.token) });
    expect(detail.statusCode).toBe(200);
    expect(detail.json().data).toMatchObject({
      id,
      type: 'photo',
      name: 'IMG_0100.JPG',
      originalName: 'IMG_0100.JPG',
      relPath: 'mia/2024/01/IMG_0100.JPG',
      takenAt: '2023-12-31T22:30:00.123Z',
      takenAtOffsetMinutes: 120,
      cameraMake: 'Apple',
      cameraModel: 'iPhone 15 Pro',
      orientation: 6,
      mime: 'image/jpeg',
      deviceId: null,
      trashedAt: null,
      albums: [],
    });
    expect(detail.json().data.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(detail.json().data.latitude).toBeCloseTo(48.8584, 3);
    expect(JSON.stringify(detail.json())).not.toContain(server.config.libraryDir);
  });

  it('details: the albums an item is in, 404 for an unknown id and 400 for a malformed one', async ({
    server,
    owner,
    phone,
  }) => {
    const id = photoIds[2]!;
    const user = await server.database.db
      .selectFrom('media')
      .select('user_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const album = await server.database.db
      .insertInto('albums')
      .values({ user_id: user.user_id, name: 'Été' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await server.database.db.insertInto('album_media').values({ album_id: album.id, media_id: id }).execute();
    const detail = await server.app.inject({ url: `/api/v1/media/${id}`, headers: bearer(owner) });
    expect(detail.json().data).toMatchObject({
      id,
      deviceId: phone.deviceId,
      albums: [{ id: album.id, name: 'Été' }],
    });

    const unknown = await server.app.inject({
      url: '/api/v1/media/00000000-0000-4000-8000-000000000000',
      headers: bearer(owner),
    });
    expect(unknown.statusCode).toBe(404);
    const malformed = await server.app.inject({ url: '/api/v1/media/not-a-uuid', headers: bearer(owner) });
    expect(malformed.statusCode).toBe(400);
  });
});
