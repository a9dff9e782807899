import { describe, expect } from 'vitest';

import { findUserMedia, restoreMedia, trashMedia, updateMedia } from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertMedia, recordQueries } from './helper.js';

describe.each(databasesWithAliceAndBob)('changing and trashing media on $label', ({ it }) => {
  it('sets and clears the display name and the favourite flag, for the owner only', async ({
    db,
    alice,
    bob,
  }) => {
    const item = await insertMedia(db, alice.id);
    const named = await updateMedia(db, {
      userId: alice.id,
      id: item.id,
      changes: { displayName: 'Beach day', favorite: true },
    });
    expect(named).toMatchObject({
      display_name: 'Beach day',
      favorite: true,
      original_name: item.original_name,
    });
    expect(named?.rel_path).toBe(item.rel_path);

    const onlyFavorite = await updateMedia(db, {
      userId: alice.id,
      id: item.id,
      changes: { favorite: false },
    });
    expect(onlyFavorite).toMatchObject({ display_name: 'Beach day', favorite: false });
    const cleared = await updateMedia(db, {
      userId: alice.id,
      id: item.id,
      changes: { displayName: null },
    });
    expect(cleared).toMatchObject({ display_name: null, favorite: false });
    expect(await updateMedia(db, { userId: alice.id, id: item.id, changes: {} })).toMatchObject({
      id: item.id,
    });

    expect(
      await updateMedia(db, { userId: bob.id, id: item.id, changes: { displayName: 'Mine now' } }),
    ).toBeUndefined();
    expect(await updateMedia(db, { userId: alice.id, id: 'nope', changes: {} })).toBeUndefined();
    expect((await findUserMedia(db, { userId: alice.id, id: item.id }))?.display_name).toBeNull();
  });

  it('trashes and restores many items in one statement each, skipping what is not the user’s', async ({
    db,
    alice,
    bob,
  }) => {
    const mine = await Promise.all([1, 2, 3].map(() => insertMedia(db, alice.id)));
    const theirs = await insertMedia(db, bob.id);
    const at = new Date('2026-11-21T10:00:00.000Z');
    const recorded = recordQueries(db);
    const moved = await trashMedia(recorded.db, {
      userId: alice.id,
      ids: [mine[0]!.id, mine[1]!.id, mine[1]!.id, theirs.id, 'not-a-uuid'],
      at,
    });
    expect(recorded.queries).toHaveLength(1);
    expect(moved.sort()).toEqual([mine[0]!.id, mine[1]!.id].sort());
    expect((await findUserMedia(db, { userId: alice.id, id: mine[0]!.id }))?.trashed_at).toEqual(at);
    expect((await findUserMedia(db, { userId: bob.id, id: theirs.id }))?.trashed_at).toBeNull();

    // Already in the trash: its date stays.
    expect(
      await trashMedia(db, {
        userId: alice.id,
        ids: [mine[0]!.id],
        at: new Date(at.getTime() + 1000),
      }),
    ).toEqual([]);
    expect((await findUserMedia(db, { userId: alice.id, id: mine[0]!.id }))?.trashed_at).toEqual(at);

    await trashMedia(db, { userId: bob.id, ids: [theirs.id], at });
    expect(await restoreMedia(db, { userId: alice.id, ids: [theirs.id, mine[2]!.id] })).toEqual([]);
    expect((await findUserMedia(db, { userId: bob.id, id: theirs.id }))?.trashed_at).toEqual(at);
    expect((await restoreMedia(db, { userId: alice.id, ids: [mine[0]!.id, mine[1]!.id] })).sort()).toEqual(
      [mine[0]!.id, mine[1]!.id].sort(),
    );
    expect((await findUserMedia(db, { userId: alice.id, id: mine[1]!.id }))?.trashed_at).toBeNull();
    expect(await trashMedia(db, { userId: alice.id, ids: [], at })).toEqual([]);
  });
});
