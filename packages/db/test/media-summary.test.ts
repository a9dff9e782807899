import { randomUUID } from 'node:crypto';

import { describe, expect } from 'vitest';

import {
  addMediaToAlbum,
  createAlbum,
  listMedia,
  listRestoreBatch,
  summarizeMedia,
  type Database,
  type Kysely,
  type Media,
  type MediaListFilters,
  type MediaListRow,
  type MediaSummaryRow,
  type RestoreSelection,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertDevice, insertMedia, insertUser } from './helper.js';

const DAY = 86_400_000;
const START = Date.parse('2024-01-01T12:00:00.000Z');

describe.each(databasesWithAliceAndBob)('summarizing media on $label', ({ it }) => {
  let deviceId: string;
  let albumId: string;
  let bobsAlbumId: string;
  let photos: Media[];
  let trashed: Media;

  it.beforeAll(async ({ db, alice, bob }) => {
    deviceId = (await insertDevice(db, alice.id)).id;
    photos = [];
    // 12 items, one a day, sizes all different so a wrong sum cannot pass by luck.
    for (let i = 0; i < 12; i++) {
      photos.push(
        await insertMedia(db, alice.id, {
          taken_at: new Date(START + i * DAY),
          size: 1000 * (i + 1) + i,
          media_type: i % 3 === 0 ? 'video' : 'photo',
          favorite: i % 4 === 0,
          device_id: i < 5 ? deviceId : null,
          display_name: i === 6 ? 'Harbour at dusk' : null,
        }),
      );
    }
    // Trashed, in range and in the album: counted nowhere.
    trashed = await insertMedia(db, alice.id, { taken_at: new Date(START + 2 * DAY), size: 9_000_000 });
    await db.updateTable('media').set({ trashed_at: new Date() }).where('id', '=', trashed.id).execute();
    const harbour = await createAlbum(db, { userId: alice.id, name: 'Harbour walks' });
    if (harbour.status !== 'created') throw new Error('album');
    albumId = harbour.album.id;
    await addMediaToAlbum(db, {
      userId: alice.id,
      albumId,
      mediaIds: [1, 3, 6, 10].map((i) => photos[i]!.id).concat(trashed.id),
    });
    const bobs = await insertMedia(db, bob.id, { taken_at: new Date(START + 2 * DAY), size: 7_000_000 });
    const bobsAlbum = await createAlbum(db, { userId: bob.id, name: 'Harbour too' });
    if (bobsAlbum.status !== 'created') throw new Error('album');
    bobsAlbumId = bobsAlbum.album.id;
    await addMediaToAlbum(db, { userId: bob.id, albumId: bobsAlbumId, mediaIds: [bobs.id] });
  });

  async function listed(
    db: Kysely<Database>,
    userId: string,
    filters: MediaListFilters,
  ): Promise<MediaListRow[]> {
    const seen: MediaListRow[] = [];
    let page = await listMedia(db, { userId, limit: 5, filters, sort: 'taken' });
    seen.push(...page.items);
    while (page.nextCursor) {
      page = await listMedia(db, {
        userId,
        limit: 5,
        after: page.nextCursor,
        filters,
        sort: 'taken',
      });
      seen.push(...page.items);
    }
    return seen;
  }

  function summaryOf(rows: Array<Pick<Media, 'size' | 'media_type' | 'taken_at'>>): MediaSummaryRow {
    const times = rows.map((row) => row.taken_at.getTime());
    return {
      count: rows.length,
      bytes: rows.reduce((sum, row) => sum + row.size, 0),
      photos: rows.filter((row) => row.media_type === 'photo').length,
      videos: rows.filter((row) => row.media_type === 'video').length,
      takenFrom: rows.length === 0 ? null : new Date(Math.min(...times)),
      takenTo: rows.length === 0 ? null : new Date(Math.max(...times)),
    };
  }

  const summarize = (db: Kysely<Database>, userId: string, filters: MediaListFilters) =>
    summarizeMedia(db, { userId, filters });

  it('sums the whole library without the trash or another user’s items', async ({ db, alice, bob }) => {
    expect(await summarize(db, alice.id, {})).toEqual(summaryOf(photos));
    expect(await summarize(db, alice.id, {})).toMatchObject({ count: 12, photos: 8, videos: 4 });
    expect(await summarize(db, bob.id, {})).toMatchObject({ count: 1, bytes: 7_000_000 });
  });

  it('answers zeros and no dates when nothing matches, and for malformed ids', async ({ db, alice }) => {
    const empty = { count: 0, bytes: 0, photos: 0, videos: 0, takenFrom: null, takenTo: null };
    expect(await summarize(db, alice.id, { from: new Date(START + 100 * DAY) })).toEqual(empty);
    expect(await summarize(db, randomUUID(), {})).toEqual(empty);
    expect(await summarize(db, 'not-a-uuid', {})).toEqual(empty);
    expect(await summarize(db, alice.id, { albumId: 'nope' })).toEqual(empty);
    expect(await summarize(db, alice.id, { deviceId: 'nope' })).toEqual(empty);
  });

  it('counts what the list pages through, filter by filter', async ({ db, alice }) => {
    const cases: Array<[MediaListFilters, Media[]]> = [
      [{ from: new Date(START + 3 * DAY), to: new Date(START + 7 * DAY) }, photos.slice(3, 7)],
      [{ type: 'video' }, photos.filter((p) => p.media_type === 'video')],
      [{ type: 'photo', favorite: true }, photos.filter((p) => p.media_type === 'photo' && p.favorite)],
      [{ favorite: false }, photos.filter((p) => !p.favorite)],
      [{ deviceId }, photos.slice(0, 5)],
      [{ albumId }, [1, 3, 6, 10].map((i) => photos[i]!)],
      [{ albumId, from: new Date(START + 2 * DAY), to: new Date(START + 8 * DAY) }, [photos[3]!, photos[6]!]],
      [{ q: photos[4]!.original_name.slice(0, -5).toLowerCase() }, [photos[4]!]],
      // By a display name, and by the name of an album: an item matched both ways counts once.
      [{ q: 'HARBOUR' }, [1, 3, 6, 10].map((i) => photos[i]!)],
      [{ q: 'dusk' }, [photos[6]!]],
      [{ q: 'harbour', type: 'photo' }, [1, 10].map((i) => photos[i]!)],
    ];
    for (const [filters, expected] of cases) {
      const summary = await summarize(db, alice.id, filters);
      expect(summary, JSON.stringify(filters)).toEqual(summaryOf(expected));
      expect(summary, JSON.stringify(filters)).toEqual(summaryOf(await listed(db, alice.id, filters)));
    }
  });

  it('counts nothing in another user’s album, and nothing of Alice’s for Bob', async ({ db, alice, bob }) => {
    expect(await summarize(db, alice.id, { albumId: bobsAlbumId })).toMatchObject({ count: 0, bytes: 0 });
    expect(await summarize(db, bob.id, { albumId })).toMatchObject({ count: 0, bytes: 0 });
    expect(await summarize(db, bob.id, { q: 'harbour' })).toMatchObject({ count: 1, bytes: 7_000_000 });
  });

  it('takes plain dates as whole local days, both ends inclusive, as the list and the restore do', async ({
    db,
  }) => {
    const carol = await insertUser(db);
    // Each is named by its local date taken; the ones near midnight are on another UTC day.
    const items = [
      { taken_at: '2023-12-31T15:30:00Z', offset: 540, local: '2024-01-01' },
      { taken_at: '2024-01-01T04:30:00Z', offset: -300, local: '2023-12-31' },
      { taken_at: '2024-01-01T00:00:00Z', offset: null, local: '2024-01-01' },
      { taken_at: '2024-01-31T14:59:00Z', offset: 540, local: '2024-01-31' },
      { taken_at: '2024-02-01T04:30:00Z', offset: -300, local: '2024-01-31' },
      { taken_at: '2024-01-31T23:10:00Z', offset: 60, local: '2024-02-01' },
    ];
    const inserted = [];
    for (const [i, item] of items.entries()) {
      inserted.push({
        ...item,
        media: await insertMedia(db, carol.id, {
          taken_at: new Date(item.taken_at),
          taken_at_offset_minutes: item.offset,
          size: 100 + i,
        }),
      });
    }
    const january = { from: { localDate: '2024-01-01' }, to: { localDate: '2024-01-31' } };
    const expected = inserted.filter((item) => item.local.startsWith('2024-01')).map((item) => item.media);
    expect(expected).toHaveLength(4);
    const summary = await summarize(db, carol.id, january);
    expect(summary).toEqual(summaryOf(expected));
    expect(summary).toEqual(summaryOf(await listed(db, carol.id, january)));
    const oneDay = { from: { localDate: '2024-01-01' }, to: { localDate: '2024-01-01' } };
    expect(await summarize(db, carol.id, oneDay)).toMatchObject({ count: 2, bytes: 100 + 102 });
  });

  it('counts what a restore of the same range or album would archive', async ({ db, alice }) => {
    const restored = async (selection: RestoreSelection) => {
      const batch = await listRestoreBatch(db, { userId: alice.id, selection, limit: 100 });
      return batch.items.map((row) => ({
        ...row,
        media_type: photos.find((p) => p.id === row.id)!.media_type,
      }));
    };
    const range = { from: new Date(START + 2 * DAY), to: new Date(START + 9 * DAY) };
    expect(await summarize(db, alice.id, range)).toEqual(
      summaryOf(await restored({ kind: 'taken', ...range })),
    );
    expect(await summarize(db, alice.id, { albumId })).toEqual(
      summaryOf(await restored({ kind: 'album', albumId })),
    );
    expect(await summarize(db, alice.id, {})).toEqual(summaryOf(await restored({ kind: 'taken' })));
  });
});
