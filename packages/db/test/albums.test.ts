import { describe, expect } from 'vitest';

import {
  addMediaToAlbum,
  addMediaToAlbumsByName,
  createAlbum,
  deleteAlbum,
  findAlbum,
  findMediaDetail,
  findUserMedia,
  listAlbums,
  removeMediaFromAlbum,
  updateAlbum,
  type Album,
  type Database,
  type Kysely,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertMedia, insertUser } from './helper.js';

const DAY = 86_400_000;
const START = Date.parse('2024-06-01T12:00:00.000Z');

describe.each(databasesWithAliceAndBob)('albums on $label', ({ it }) => {
  async function created(db: Kysely<Database>, userId: string, name: string, at?: Date): Promise<Album> {
    const result = await createAlbum(db, { userId, name, ...(at ? { at } : {}) });
    if (result.status !== 'created') throw new Error(`${name}: ${result.status}`);
    return result.album;
  }

  it('creates, renames and deletes; names are unique per user in any case', async ({ db, alice, bob }) => {
    const trip = await created(db, alice.id, 'Trip');
    expect(await createAlbum(db, { userId: alice.id, name: 'TRIP' })).toEqual({
      status: 'name-taken',
    });
    expect((await createAlbum(db, { userId: bob.id, name: 'trip' })).status).toBe('created');

    const other = await created(db, alice.id, 'Other');
    expect(await updateAlbum(db, { userId: alice.id, id: other.id, changes: { name: 'tRiP' } })).toEqual({
      status: 'name-taken',
    });
    // Changing the case of its own name is fine.
    expect(await updateAlbum(db, { userId: alice.id, id: trip.id, changes: { name: 'TRIP' } })).toMatchObject(
      { status: 'updated', album: { id: trip.id, name: 'TRIP' } },
    );
    expect(await updateAlbum(db, { userId: bob.id, id: trip.id, changes: { name: 'Stolen' } })).toEqual({
      status: 'not-found',
    });

    const item = await insertMedia(db, alice.id);
    await addMediaToAlbum(db, { userId: alice.id, albumId: other.id, mediaIds: [item.id] });
    expect(await deleteAlbum(db, { userId: bob.id, id: other.id })).toBe(false);
    expect(await deleteAlbum(db, { userId: alice.id, id: other.id })).toBe(true);
    expect(await deleteAlbum(db, { userId: alice.id, id: other.id })).toBe(false);
    expect(await findAlbum(db, { userId: alice.id, id: other.id })).toBeUndefined();
    // Its items stay in the library.
    expect(await findUserMedia(db, { userId: alice.id, id: item.id })).toBeDefined();
  });

  it('adds and removes items in one statement, never another user’s', async ({ db, alice, bob }) => {
    const album = await created(db, alice.id, 'Garden');
    const mine = await Promise.all([0, 1, 2].map(() => insertMedia(db, alice.id)));
    const theirs = await insertMedia(db, bob.id);
    const added = await addMediaToAlbum(db, {
      userId: alice.id,
      albumId: album.id,
      mediaIds: [mine[0]!.id, mine[1]!.id, theirs.id, 'nope'],
    });
    expect(added?.sort()).toEqual([mine[0]!.id, mine[1]!.id].sort());
    expect(
      await addMediaToAlbum(db, {
        userId: alice.id,
        albumId: album.id,
        mediaIds: [mine[1]!.id, mine[2]!.id],
      }),
    ).toEqual([mine[2]!.id]);
    expect(
      await addMediaToAlbum(db, { userId: bob.id, albumId: album.id, mediaIds: [theirs.id] }),
    ).toBeUndefined();
    expect((await findAlbum(db, { userId: alice.id, id: album.id }))?.item_count).toBe(3);

    expect(
      await removeMediaFromAlbum(db, { userId: bob.id, albumId: album.id, mediaIds: [mine[0]!.id] }),
    ).toBeUndefined();
    expect(
      await removeMediaFromAlbum(db, {
        userId: alice.id,
        albumId: album.id,
        mediaIds: [mine[0]!.id, theirs.id],
      }),
    ).toEqual([mine[0]!.id]);
    expect((await findAlbum(db, { userId: alice.id, id: album.id }))?.item_count).toBe(2);
    expect((await findMediaDetail(db, { userId: alice.id, id: mine[0]!.id }))?.albums).toEqual([]);
  });

  it('counts items outside the trash, and covers with the chosen item or else the newest taken', async ({
    db,
    alice,
    bob,
  }) => {
    const album = await created(db, alice.id, 'Covers');
    const items = await Promise.all(
      [0, 1, 2].map((i) => insertMedia(db, alice.id, { taken_at: new Date(START + i * DAY) })),
    );
    const outsider = await insertMedia(db, alice.id);
    expect(await findAlbum(db, { userId: alice.id, id: album.id })).toMatchObject({
      item_count: 0,
      cover_id: null,
    });
    await addMediaToAlbum(db, {
      userId: alice.id,
      albumId: album.id,
      mediaIds: items.map((m) => m.id),
    });
    expect(await findAlbum(db, { userId: alice.id, id: album.id })).toMatchObject({
      item_count: 3,
      cover_id: items[2]!.id,
      cover_media_id: null,
    });

    expect(
      await updateAlbum(db, {
        userId: alice.id,
        id: album.id,
        changes: { coverMediaId: outsider.id },
      }),
    ).toEqual({ status: 'cover-not-in-album' });
    expect(
      await updateAlbum(db, { userId: alice.id, id: album.id, changes: { coverMediaId: 'nope' } }),
    ).toEqual({ status: 'cover-not-in-album' });
    expect(
      await updateAlbum(db, {
        userId: bob.id,
        id: album.id,
        changes: { coverMediaId: items[0]!.id },
      }),
    ).toEqual({ status: 'not-found' });
    expect(
      await updateAlbum(db, {
        userId: alice.id,
        id: album.id,
        changes: { coverMediaId: items[0]!.id },
      }),
    ).toMatchObject({ status: 'updated' });
    expect((await findAlbum(db, { userId: alice.id, id: album.id }))?.cover_id).toBe(items[0]!.id);

    // The chosen cover in the trash: the newest item stands in, and the count drops.
    await db
      .updateTable('media')
      .set({ trashed_at: new Date() })
      .where('id', 'in', [items[0]!.id, items[2]!.id])
      .execute();
    expect(await findAlbum(db, { userId: alice.id, id: album.id })).toMatchObject({
      item_count: 1,
      cover_id: items[1]!.id,
      cover_media_id: items[0]!.id,
    });
    await db
      .updateTable('media')
      .set({ trashed_at: null })
      .where('id', 'in', [items[0]!.id, items[2]!.id])
      .execute();
    // Taken out of the album: no longer its cover.
    await removeMediaFromAlbum(db, {
      userId: alice.id,
      albumId: album.id,
      mediaIds: [items[0]!.id],
    });
    expect(await findAlbum(db, { userId: alice.id, id: album.id })).toMatchObject({
      cover_id: items[2]!.id,
      cover_media_id: null,
    });
  });

  it('lists by name in any case, or most recently changed first', async ({ db }) => {
    const carol = await insertUser(db);
    const at = (day: number) => new Date(START + day * DAY);
    const beach = await created(db, carol.id, 'beach', at(1));
    const zoo = await created(db, carol.id, 'Zoo', at(2));
    const art = await created(db, carol.id, 'Art', at(3));
    expect((await listAlbums(db, { userId: carol.id, sort: 'name' })).map((a) => a.name)).toEqual([
      'Art',
      'beach',
      'Zoo',
    ]);
    expect((await listAlbums(db, { userId: carol.id, sort: 'recent' })).map((a) => a.id)).toEqual([
      art.id,
      zoo.id,
      beach.id,
    ]);
    const item = await insertMedia(db, carol.id);
    await addMediaToAlbum(db, {
      userId: carol.id,
      albumId: beach.id,
      mediaIds: [item.id],
      at: at(4),
    });
    const recent = await listAlbums(db, { userId: carol.id, sort: 'recent' });
    expect(recent.map((a) => a.id)).toEqual([beach.id, art.id, zoo.id]);
    expect(recent[0]).toMatchObject({
      item_count: 1,
      cover_id: item.id,
      updated_at: at(4),
      created_at: at(1),
    });
    expect(await listAlbums(db, { userId: 'nope', sort: 'name' })).toEqual([]);
  });

  it('puts an item into albums by name, creating the missing ones and matching any case', async ({
    db,
    bob,
  }) => {
    const dave = await insertUser(db);
    const existing = await created(db, dave.id, 'Holidays 2024');
    const item = await insertMedia(db, dave.id);
    const albums = await addMediaToAlbumsByName(db, {
      userId: dave.id,
      mediaId: item.id,
      names: ['holidays 2024', 'Family', 'FAMILY'],
    });
    expect(albums.map((a) => a.name).sort()).toEqual(['Family', 'Holidays 2024']);
    expect(albums.find((a) => a.name === 'Holidays 2024')?.id).toBe(existing.id);
    const listed = await listAlbums(db, { userId: dave.id, sort: 'name' });
    expect(listed.map((a) => [a.name, a.item_count])).toEqual([
      ['Family', 1],
      ['Holidays 2024', 1],
    ]);
    // Again (a phone re-sending): nothing new.
    await addMediaToAlbumsByName(db, { userId: dave.id, mediaId: item.id, names: ['Family'] });
    expect((await listAlbums(db, { userId: dave.id, sort: 'name' })).map((a) => a.item_count)).toEqual([
      1, 1,
    ]);
    // Another user's item is never added, and no album is made for it.
    const theirs = await insertMedia(db, bob.id);
    expect(
      await addMediaToAlbumsByName(db, { userId: dave.id, mediaId: theirs.id, names: ['Loot'] }),
    ).toEqual([]);
    expect(await listAlbums(db, { userId: dave.id, sort: 'name' })).toHaveLength(2);
  });

  it('makes one album when uploads naming the same new album race', async ({ db }) => {
    const erin = await insertUser(db);
    const items = await Promise.all([0, 1, 2, 3].map(() => insertMedia(db, erin.id)));
    const results = await Promise.all(
      items.map((item, i) =>
        addMediaToAlbumsByName(db, {
          userId: erin.id,
          mediaId: item.id,
          names: [i % 2 === 0 ? 'Race' : 'RACE'],
        }),
      ),
    );
    const ids = new Set(results.map((albums) => albums[0]?.id));
    expect(ids.size).toBe(1);
    const listed = await listAlbums(db, { userId: erin.id, sort: 'name' });
    expect(listed).toHaveLength(1);
    expect(listed[0]?.item_count).toBe(4);
  });
});
