import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import type { MediaListItem, MediaSummary } from '@iclood/api-types';
import { buildJpeg } from '../../../packages/media/test/fixtures/build-photos.js';
import { buildMovie } from '../../../packages/media/test/fixtures/build-quicktime.js';
import { unzipArchive } from './fixtures/unzip.js';
import { addMember, databaseTargets, pngBytes } from './helper.js';
import { serverTest } from './server-test.js';

const NOTHING: MediaSummary = {
  count: 0,
  bytes: 0,
  photos: 0,
  videos: 0,
  takenFrom: null,
  takenTo: null,
};

describe.each(databaseTargets)('the summary before a restore ($label)', (target) => {
  let albumId: string;
  const ids: Record<string, string> = {};

  function summaryOf(items: MediaListItem[]): MediaSummary {
    const times = items.map((item) => Date.parse(item.takenAt));
    return {
      count: items.length,
      bytes: items.reduce((sum, item) => sum + item.size, 0),
      photos: items.filter((item) => item.type === 'photo').length,
      videos: items.filter((item) => item.type === 'video').length,
      takenFrom: items.length === 0 ? null : new Date(Math.min(...times)).toISOString(),
      takenTo: items.length === 0 ? null : new Date(Math.max(...times)).toISOString(),
    };
  }

  const it = serverTest(target, {
    member: 'member',
    phone: true,
    async seed({ owner, member, phone, api, upload }) {
      ids.a = await upload(owner, 'IMG_0001.PNG', pngBytes(1), '2024-01-10T10:00:00Z');
      ids.b = await upload(owner, 'IMG_0002.PNG', pngBytes(2, 40), '2024-02-10T10:00:00Z');
      ids.c = await upload(phone.token, 'harbour.jpg', buildJpeg({ size: 60_000 }), '2024-03-10T23:30:00Z');
      ids.d = await upload(
        phone.token,
        'IMG_0300.MOV',
        buildMovie({
          keys: { 'com.apple.quicktime.creationdate': '2024-03-31T23:45:10+0100' },
          timescale: 600,
          duration: 600,
          tracks: [{ handler: 'vide', width: 1920, height: 1080 }],
          mdatLength: 200_000,
        }),
      );
      ids.e = await upload(owner, 'IMG_0005.PNG', pngBytes(5, 20), '2024-04-02T08:00:00Z');
      ids.trashed = await upload(owner, 'trashed.png', pngBytes(6), '2024-03-15T10:00:00Z');
      await upload(member.token, 'IMG_0001.PNG', pngBytes(10), '2024-03-20T10:00:00Z');

      const trashed = await api('DELETE', `/media/${ids.trashed}`);
      expect(trashed.statusCode, trashed.body).toBe(200);
      const favorite = await api('PATCH', `/media/${ids.b}`, { favorite: true });
      expect(favorite.statusCode, favorite.body).toBe(200);
      const album = await api('POST', '/albums', { name: 'Spring' });
      expect(album.statusCode, album.body).toBe(201);
      albumId = album.json().data.id;
      const added = await api('POST', `/albums/${albumId}/media`, { ids: [ids.b, ids.d, ids.trashed] });
      expect(added.statusCode, added.body).toBe(200);
    },
  })
    .extend('summary', ({ api }) => async (query: string, token?: string): Promise<MediaSummary> => {
      const response = await api('GET', `/media/summary?${query}`, undefined, token);
      expect(response.statusCode, `${query}: ${response.body}`).toBe(200);
      return response.json().data;
    })
    .extend('listAll', ({ api }) => async (query: string, token?: string): Promise<MediaListItem[]> => {
      const items: MediaListItem[] = [];
      let cursor: string | null = null;
      do {
        const response = await api(
          'GET',
          `/media/list?limit=2&${query}${cursor ? `&cursor=${cursor}` : ''}`,
          undefined,
          token,
        );
        expect(response.statusCode, response.body).toBe(200);
        items.push(...response.json().data.items);
        cursor = response.json().data.nextCursor;
      } while (cursor);
      return items;
    })
    .extend('restoredFiles', ({ api }) => async (payload: Record<string, string>) => {
      const response = await api('POST', '/media/batch/restore', payload);
      expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
      const archive = await unzipArchive(response.rawPayload);
      expect(archive.tested).toBe(true);
      return [...archive.files.values()];
    });

  it('is its own route, not an item id', async ({ api }) => {
    const response = await api('GET', '/media/summary');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ status: 'success', data: { count: 5 } });
  });

  it('counts and sums exactly what the list pages through, filter by filter', async ({
    phone,
    summary,
    listAll,
  }) => {
    const everything = await summary('');
    expect(everything).toMatchObject({ count: 5, photos: 4, videos: 1 });
    expect(everything.bytes).toBeGreaterThan(200_000);
    for (const query of [
      '',
      'from=2024-02-01T00:00:00Z&to=2024-04-01T00:00:00Z',
      'from=2024-02-10&to=2024-03-10',
      'from=2024-04-01',
      'to=2024-03-31',
      'type=video',
      'type=photo',
      'favorite=true',
      'favorite=false',
      `device=${phone.deviceId}`,
      `album=${albumId}`,
      `album=${albumId}&type=photo`,
      'q=harbour',
      'q=spring',
      'q=img_000',
      'from=2030-01-01',
    ]) {
      expect(await summary(query), query).toEqual(summaryOf(await listAll(query)));
    }
    expect(await summary('from=2030-01-01')).toEqual(NOTHING);
    // A plain date `to` includes its whole day: the video taken late on March 31 is in.
    expect((await summary('from=2024-03-31&to=2024-03-31')).count).toBe(1);
  });

  it('counts what the restore archive holds for the same range or album', async ({
    summary,
    restoredFiles,
  }) => {
    const selections: Array<Record<string, string>> = [
      { from: '2024-02-01T00:00:00Z', to: '2024-04-01T00:00:00Z' },
      { from: '2024-02-10', to: '2024-03-31' },
      { to: '2024-03-10' },
      { album: albumId },
    ];
    for (const selection of selections) {
      const files = await restoredFiles(selection);
      const counted = await summary(new URLSearchParams(selection).toString());
      expect(counted.count, JSON.stringify(selection)).toBe(files.length);
      expect(counted.bytes, JSON.stringify(selection)).toBe(
        files.reduce((sum, file) => sum + file.bytes.length, 0),
      );
    }
  });

  it('counts only the caller’s own items; another user’s album counts nothing, as the list shows it', async ({
    server,
    owner,
    member,
    summary,
    listAll,
  }) => {
    expect(await summary('', member.token)).toMatchObject({ count: 1, photos: 1, videos: 0 });
    expect(await summary('from=2024-03-01&to=2024-03-31', member.token)).toMatchObject({ count: 1 });
    const theirs = await summary(`album=${albumId}`, member.token);
    expect(theirs).toEqual(NOTHING);
    expect(await listAll(`album=${albumId}`, member.token)).toEqual([]);
    expect((await summary(`album=${randomUUID()}`)).count).toBe(0);
    const stranger = await addMember(server.app, owner, 'stranger');
    expect(await summary('', stranger.token)).toEqual(NOTHING);
  });

  it('refuses bad filters with 400, as the list does', async ({ api }) => {
    for (const query of [
      'from=yesterday',
      'to=2024-02-30',
      'album=not-a-uuid',
      'device=nope',
      'type=gif',
      'favorite=maybe',
      'q=',
      'limit=10',
      'cursor=abc',
    ]) {
      const response = await api('GET', `/media/summary?${query}`);
      expect(response.statusCode, query).toBe(400);
      expect(response.json().error.code, query).toBe('VALIDATION_FAILED');
    }
  });

  it('needs media.read: 403 for an upload-only token, 401 with none', async ({ server, api }) => {
    const shortcut = await api('POST', '/devices', {
      name: 'Shortcut',
      platform: 'shortcuts',
      scopes: ['media.upload'],
    });
    expect(shortcut.statusCode).toBe(201);
    const refused = await api('GET', '/media/summary', undefined, shortcut.json().data.token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('SCOPE_REQUIRED');
    const anonymous = await server.app.inject({ url: '/api/v1/media/summary' });
    expect(anonymous.statusCode).toBe(401);
  });
});
