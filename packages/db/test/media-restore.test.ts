import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';

import {
  listRestoreBatch,
  userHasAlbum,
  type Database,
  type Kysely,
  type Media,
  type RestoreRow,
  type RestoreSelection,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertMedia, planWithoutSeqScan, recordQueries } from './helper.js';

const DAY = 86_400_000;
const START = new Date('2024-01-01T12:00:00.000Z').getTime();

describe.each(databasesWithAliceAndBob)('selecting items to restore on $label', ({ it }) => {
  let photos: Media[];
  let trashed: Media;
  let bobs: Media;
  let albumId: string;
  let bobsAlbumId: string;

  it.beforeAll(async ({ db, alice, bob }) => {
    photos = [];
    // 12 items; 8–11 share one instant so the id orders them.
    for (let i = 0; i < 12; i++) {
      photos.push(await insertMedia(db, alice.id, { taken_at: new Date(START + Math.min(i, 8) * DAY) }));
    }
    trashed = await insertMedia(db, alice.id, {
      taken_at: new Date(START + 3 * DAY),
      trashed_at: new Date(),
    });
    bobs = await insertMedia(db, bob.id, { taken_at: new Date(START + 2 * DAY) });
    albumId = (
      await db
        .insertInto('albums')
        .values({ user_id: alice.id, name: 'Holiday' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    bobsAlbumId = (
      await db
        .insertInto('albums')
        .values({ user_id: bob.id, name: 'Bob' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    await db
      .insertInto('album_media')
      .values([
        ...[1, 5, 9].map((i) => ({ album_id: albumId, media_id: photos[i]!.id })),
        { album_id: albumId, media_id: trashed.id },
        { album_id: bobsAlbumId, media_id: bobs.id },
      ])
      .execute();
  });

  async function all(
    db: Kysely<Database>,
    userId: string,
    selection: RestoreSelection,
    limit = 5,
  ): Promise<RestoreRow[]> {
    const seen: RestoreRow[] = [];
    let batch = await listRestoreBatch(db, { userId, selection, limit });
    seen.push(...batch.items);
    while (batch.nextCursor) {
      batch = await listRestoreBatch(db, { userId, selection, limit, after: batch.nextCursor });
      seen.push(...batch.items);
    }
    return seen;
  }

  const oldestFirst = (items: Media[]) =>
    [...items]
      .sort((a, b) => a.taken_at.getTime() - b.taken_at.getTime() || a.id.localeCompare(b.id))
      .map((item) => item.id);

  it('walks a date range oldest first in keyset batches, trash and other users left out', async ({
    db,
    alice,
  }) => {
    const everything = await all(db, alice.id, { kind: 'taken' });
    expect(everything.map((row) => row.id)).toEqual(oldestFirst(photos));
    expect(everything[0]).toEqual({
      id: photos[0]!.id,
      original_name: photos[0]!.original_name,
      rel_path: photos[0]!.rel_path,
      size: 1234,
      taken_at: photos[0]!.taken_at,
      taken_at_offset_minutes: null,
    });
    const span = await all(db, alice.id, {
      kind: 'taken',
      from: new Date(START + 2 * DAY),
      to: new Date(START + 6 * DAY),
    });
    expect(span.map((row) => row.id)).toEqual(photos.slice(2, 6).map((photo) => photo.id));
    expect(await all(db, alice.id, { kind: 'taken', from: new Date(START + 100 * DAY) })).toEqual([]);
  });

  it('takes the chosen ids that are the user’s and not in the trash, ignoring the rest', async ({
    db,
    alice,
  }) => {
    const chosen = [
      photos[7]!.id,
      photos[2]!.id,
      trashed.id,
      bobs.id,
      randomUUID(),
      'not-a-uuid',
      photos[2]!.id,
    ];
    const rows = await all(db, alice.id, { kind: 'ids', ids: chosen }, 1);
    expect(rows.map((row) => row.id)).toEqual([photos[2]!.id, photos[7]!.id]);
    expect(await all(db, alice.id, { kind: 'ids', ids: [bobs.id] })).toEqual([]);
    expect(await all(db, alice.id, { kind: 'ids', ids: [] })).toEqual([]);
  });

  it('takes an album’s items, only from the user’s own album', async ({ db, alice, bob }) => {
    const rows = await all(db, alice.id, { kind: 'album', albumId }, 2);
    expect(rows.map((row) => row.id)).toEqual([1, 5, 9].map((i) => photos[i]!.id));
    expect(await all(db, alice.id, { kind: 'album', albumId: bobsAlbumId })).toEqual([]);
    expect(await all(db, bob.id, { kind: 'album', albumId })).toEqual([]);
    expect(await userHasAlbum(db, { userId: alice.id, albumId })).toBe(true);
    expect(await userHasAlbum(db, { userId: alice.id, albumId: bobsAlbumId })).toBe(false);
    expect(await userHasAlbum(db, { userId: alice.id, albumId: 'x' })).toBe(false);
  });

  it('answers each batch with one query on the browse index', async ({ database, alice }) => {
    const { db, queries } = recordQueries(database.db);
    const first = await listRestoreBatch(db, { userId: alice.id, selection: { kind: 'taken' }, limit: 4 });
    await listRestoreBatch(db, {
      userId: alice.id,
      selection: { kind: 'taken' },
      limit: 4,
      after: first.nextCursor!,
    });
    expect(queries).toHaveLength(2);
    expect(await planWithoutSeqScan(database.db, queries[1]!)).toContain('media_browse_idx');
  });
});
