import { describe, expect } from 'vitest';

import {
  findMediaDetail,
  listMedia,
  mediaTimeline,
  type Database,
  type Kysely,
  type Media,
  type MediaListFilters,
  type MediaListRow,
  type MediaSortKey,
  type User,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertDevice, insertMedia, insertUser, planWithoutSeqScan, recordQueries } from './helper.js';

const DAY = 86_400_000;
const START = new Date('2024-01-01T12:00:00.000Z').getTime();

describe.each(databasesWithAliceAndBob)('browsing media on $label', ({ it }) => {
  let deviceId: string;
  let photos: Media[];

  it.beforeAll(async ({ db, alice, bob }) => {
    deviceId = (await insertDevice(db, alice.id)).id;
    photos = [];
    // 25 items; 20–24 share one instant so the id breaks the ties.
    for (let i = 0; i < 25; i++) {
      photos.push(
        await insertMedia(db, alice.id, {
          taken_at: new Date(START + Math.min(i, 20) * DAY),
          uploaded_at: new Date(START + (25 - i) * DAY),
          media_type: i % 5 === 0 ? 'video' : 'photo',
          favorite: i % 4 === 0,
          device_id: i < 3 ? deviceId : null,
          display_name: i === 7 ? 'Beach 100%' : null,
        }),
      );
    }
    await insertMedia(db, alice.id, { trashed_at: new Date(), taken_at: new Date(START + 40 * DAY) });
    await insertMedia(db, bob.id, { taken_at: new Date(START + 50 * DAY) });
  });

  async function listAll(
    db: Kysely<Database>,
    alice: User,
    sort: MediaSortKey,
    filters: MediaListFilters = {},
    limit = 10,
  ) {
    const seen: MediaListRow[] = [];
    let page = await listMedia(db, { userId: alice.id, limit, filters, sort });
    seen.push(...page.items);
    while (page.nextCursor) {
      page = await listMedia(db, { userId: alice.id, limit, after: page.nextCursor, filters, sort });
      seen.push(...page.items);
    }
    return seen.map((row) => row.id);
  }

  const newestFirst = (column: 'taken_at' | 'uploaded_at', rows: Media[]) =>
    [...rows]
      .sort((a, b) => b[column].getTime() - a[column].getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((row) => row.id);

  it('pages through every item once, newest taken first, without the trash or another user’s', async ({
    db,
    alice,
    bob,
  }) => {
    expect(await listAll(db, alice, 'taken')).toEqual(newestFirst('taken_at', photos));
    expect(await listAll(db, alice, 'uploaded', {}, 7)).toEqual(newestFirst('uploaded_at', photos));
    const last = await listMedia(db, { userId: bob.id, limit: 10, filters: {}, sort: 'taken' });
    expect(last.items).toHaveLength(1);
    expect(last.nextCursor).toBeNull();
  });

  it('filters by date, type, favorite, device and name', async ({ db, alice }) => {
    const ids = (rows: Media[]) => newestFirst('taken_at', rows);
    expect(
      await listAll(db, alice, 'taken', { from: new Date(START + 3 * DAY), to: new Date(START + 6 * DAY) }),
    ).toEqual(ids(photos.slice(3, 6)));
    expect(await listAll(db, alice, 'taken', { type: 'video' })).toEqual(
      ids(photos.filter((p) => p.media_type === 'video')),
    );
    expect(await listAll(db, alice, 'taken', { favorite: true })).toEqual(
      ids(photos.filter((p) => p.favorite)),
    );
    expect(await listAll(db, alice, 'taken', { favorite: false })).toEqual(
      ids(photos.filter((p) => !p.favorite)),
    );
    expect(await listAll(db, alice, 'taken', { deviceId })).toEqual(ids(photos.slice(0, 3)));
    expect(await listAll(db, alice, 'taken', { q: 'beach 100%' })).toEqual([photos[7]!.id]);
    expect(
      await listAll(db, alice, 'taken', { q: photos[11]!.original_name.slice(0, -5).toLowerCase() }),
    ).toEqual([photos[11]!.id]);
    expect(await listAll(db, alice, 'taken', { q: '_' })).toEqual(
      ids(photos.filter((p) => p.original_name.includes('_'))),
    );
    expect(await listAll(db, alice, 'taken', { q: '%' })).toEqual([photos[7]!.id]);
  });

  it('uses media_browse_idx for the default list and media_uploaded_idx by upload time', async ({
    db,
    alice,
  }) => {
    const recorded = recordQueries(db);
    const after = { at: new Date(START + 10 * DAY), id: photos[10]!.id };
    await listMedia(recorded.db, { userId: alice.id, limit: 100, after, filters: {}, sort: 'taken' });
    await listMedia(recorded.db, { userId: alice.id, limit: 100, after, filters: {}, sort: 'uploaded' });
    expect(recorded.queries).toHaveLength(2);
    expect(await planWithoutSeqScan(db, recorded.queries[0]!)).toContain('media_browse_idx');
    expect(await planWithoutSeqScan(db, recorded.queries[1]!)).toContain('media_uploaded_idx');
    expect(recorded.queries[0]!.sql).not.toMatch(/\boffset\s+\$/i);
  });

  it('counts per local month, newest first', async ({ db }) => {
    const carol = await insertUser(db);
    // 22:30 UTC on Dec 31 is already January at +02:00; 01:00 UTC on Mar 1 is still February at -05:00.
    await insertMedia(db, carol.id, {
      taken_at: new Date('2023-12-31T22:30:00Z'),
      taken_at_offset_minutes: 120,
    });
    await insertMedia(db, carol.id, { taken_at: new Date('2023-12-31T22:30:00Z') });
    await insertMedia(db, carol.id, {
      taken_at: new Date('2024-03-01T01:00:00Z'),
      taken_at_offset_minutes: -300,
    });
    await insertMedia(db, carol.id, { taken_at: new Date('2024-01-15T00:00:00Z') });
    await insertMedia(db, carol.id, {
      taken_at: new Date('2024-01-16T00:00:00Z'),
      trashed_at: new Date(),
    });
    expect(await mediaTimeline(db, { userId: carol.id })).toEqual([
      { year: 2024, month: 2, count: 1 },
      { year: 2024, month: 1, count: 2 },
      { year: 2023, month: 12, count: 1 },
    ]);
  });

  it('finds an item with its albums, for its owner only', async ({ db, alice, bob }) => {
    const item = photos[3]!;
    const [beach, family] = await db
      .insertInto('albums')
      .values([
        { user_id: alice.id, name: 'Beach' },
        { user_id: alice.id, name: 'Family' },
      ])
      .returningAll()
      .execute();
    await db
      .insertInto('album_media')
      .values([
        { album_id: family!.id, media_id: item.id },
        { album_id: beach!.id, media_id: item.id },
      ])
      .execute();
    const detail = await findMediaDetail(db, { userId: alice.id, id: item.id });
    expect(detail).toMatchObject({ id: item.id, sha256: item.sha256, rel_path: item.rel_path });
    expect(detail?.albums).toEqual([
      { id: beach!.id, name: 'Beach' },
      { id: family!.id, name: 'Family' },
    ]);
    expect(await findMediaDetail(db, { userId: bob.id, id: item.id })).toBeUndefined();
    expect(await findMediaDetail(db, { userId: alice.id, id: 'not-a-uuid' })).toBeUndefined();
  });
});
