import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import {
  addMediaToAlbum,
  createAlbum,
  listMedia,
  type Album,
  type Database,
  type Kysely,
  type Media,
  type MediaListFilters,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertMedia, planWithoutSeqScan, recordQueries } from './helper.js';

const DAY = 86_400_000;
const START = Date.parse('2024-01-01T12:00:00.000Z');

describe.each(databasesWithAliceAndBob)('browsing by album on $label', ({ it }) => {
  let photos: Media[];
  let summer: Album;
  let bobsAlbum: Album;

  it.beforeAll(async ({ db, alice, bob }) => {
    photos = [];
    // 30 items, 20–29 taken at one instant so the id breaks ties inside the album too.
    for (let i = 0; i < 30; i++) {
      photos.push(await insertMedia(db, alice.id, { taken_at: new Date(START + Math.min(i, 20) * DAY) }));
    }
    const made = await createAlbum(db, { userId: alice.id, name: 'Summer in Provence' });
    if (made.status !== 'created') throw new Error('album');
    summer = made.album;
    // Every odd item, plus one trashed item that must stay out.
    const inSummer = photos.filter((_, i) => i % 2 === 1);
    const trashed = await insertMedia(db, alice.id, { trashed_at: new Date(), taken_at: new Date(START) });
    await addMediaToAlbum(db, {
      userId: alice.id,
      albumId: summer.id,
      mediaIds: [...inSummer, trashed].map((m) => m.id),
    });
    const bobs = await createAlbum(db, { userId: bob.id, name: 'Summer stash' });
    if (bobs.status !== 'created') throw new Error('album');
    bobsAlbum = bobs.album;
    const bobsItem = await insertMedia(db, bob.id);
    await addMediaToAlbum(db, { userId: bob.id, albumId: bobsAlbum.id, mediaIds: [bobsItem.id] });
    await sql`analyze`.execute(db);
  });

  async function listAll(db: Kysely<Database>, userId: string, filters: MediaListFilters, limit = 4) {
    const seen: string[] = [];
    let page = await listMedia(db, { userId, limit, filters, sort: 'taken' });
    seen.push(...page.items.map((row) => row.id));
    while (page.nextCursor) {
      page = await listMedia(db, { userId, limit, after: page.nextCursor, filters, sort: 'taken' });
      seen.push(...page.items.map((row) => row.id));
    }
    return seen;
  }

  const newestFirst = (rows: Media[]) =>
    [...rows]
      .sort((a, b) => b.taken_at.getTime() - a.taken_at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
      .map((row) => row.id);

  it('lists an album’s items page by page, newest first, without the trash', async ({ db, alice }) => {
    const expected = newestFirst(photos.filter((_, i) => i % 2 === 1));
    expect(await listAll(db, alice.id, { albumId: summer.id })).toEqual(expected);
    expect(await listAll(db, alice.id, { albumId: summer.id }, 100)).toEqual(expected);
    expect(
      await listAll(db, alice.id, {
        albumId: summer.id,
        from: new Date(START + 10 * DAY),
        to: new Date(START + 15 * DAY),
      }),
    ).toEqual(newestFirst([photos[11]!, photos[13]!]));
  });

  it('never shows another user’s album, and matches nothing for a malformed id', async ({
    db,
    alice,
    bob,
  }) => {
    expect(await listAll(db, alice.id, { albumId: bobsAlbum.id })).toEqual([]);
    expect(await listAll(db, bob.id, { albumId: summer.id })).toEqual([]);
    expect(await listAll(db, alice.id, { albumId: 'nope' })).toEqual([]);
  });

  it('finds items by the name of an album they are in, any case, alongside file names', async ({
    db,
    alice,
    bob,
  }) => {
    const inSummer = newestFirst(photos.filter((_, i) => i % 2 === 1));
    expect(await listAll(db, alice.id, { q: 'PROVENCE' })).toEqual(inSummer);
    // Bob's album is called "Summer stash": his album names never match Alice's items, nor hers his.
    expect(await listAll(db, alice.id, { q: 'stash' })).toEqual([]);
    expect(await listAll(db, bob.id, { q: 'provence' })).toEqual([]);
    // A file name matches as before, and the two kinds of match combine.
    const named = photos[4]!;
    await db
      .updateTable('media')
      .set({ display_name: 'Provence sunset' })
      .where('id', '=', named.id)
      .execute();
    expect(await listAll(db, alice.id, { q: 'provence' })).toEqual(
      newestFirst([...photos.filter((_, i) => i % 2 === 1), named]),
    );
    expect(await listAll(db, alice.id, { q: 'provence', albumId: summer.id })).toEqual(inSummer);
    // Matched both ways (in the album and by its name), an item is listed once, on every page size.
    const both = photos[5]!;
    await db.updateTable('media').set({ display_name: 'Provence again' }).where('id', '=', both.id).execute();
    for (const limit of [1, 3, 100]) {
      expect(await listAll(db, alice.id, { q: 'provence' }, limit)).toEqual(
        newestFirst([...photos.filter((_, i) => i % 2 === 1), named]),
      );
    }
    await db
      .updateTable('media')
      .set({ display_name: null })
      .where('id', 'in', [named.id, both.id])
      .execute();
  });

  it('reads the album page through the album_media primary key, with no OFFSET', async ({ db, alice }) => {
    const recorded = recordQueries(db);
    const after = { at: photos[25]!.taken_at, id: photos[25]!.id };
    await listMedia(recorded.db, {
      userId: alice.id,
      limit: 100,
      after,
      filters: { albumId: summer.id },
      sort: 'taken',
    });
    const plan = await planWithoutSeqScan(db, recorded.queries[0]!);
    expect(plan).toMatch(/album_media_pkey|album_media_album_added_idx/);
    expect(recorded.queries[0]!.sql).not.toMatch(/\boffset\b/i);
  });
});
