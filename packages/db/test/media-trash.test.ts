import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import {
  deleteTrashedMedia,
  findUserMedia,
  listTrash,
  restoreMedia,
  trashedMediaToPurge,
  type Media,
  type TrashPosition,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertMedia, planWithoutSeqScan, recordQueries } from './helper.js';

const HOUR = 3_600_000;
const START = Date.parse('2026-10-01T00:00:00.000Z');

describe.each(databasesWithAliceAndBob)('the trash on $label', ({ it }) => {
  /** Alice's 12 trashed items: item i was trashed i hours after START; 8–11 share one instant. */
  let trashed: Media[];
  let kept: Media;
  let bobs: Media;

  it.beforeAll(async ({ db, alice, bob }) => {
    trashed = [];
    for (let i = 0; i < 12; i++) {
      trashed.push(await insertMedia(db, alice.id, { trashed_at: new Date(START + Math.min(i, 8) * HOUR) }));
    }
    kept = await insertMedia(db, alice.id);
    bobs = await insertMedia(db, bob.id, { trashed_at: new Date(START) });
    await sql`analyze media`.execute(db);
  });

  const newestDeletedFirst = (rows: Media[]) =>
    [...rows]
      .sort(
        (a, b) =>
          b.trashed_at!.getTime() - a.trashed_at!.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      )
      .map((row) => row.id);

  it('pages the user’s trash newest-deleted first, each item once, from media_trash_idx', async ({
    db,
    alice,
    bob,
  }) => {
    const seen: string[] = [];
    let after: TrashPosition | undefined;
    do {
      const page = await listTrash(db, { userId: alice.id, limit: 5, ...(after ? { after } : {}) });
      seen.push(...page.items.map((item) => item.id));
      expect(page.items.every((item) => item.trashed_at instanceof Date)).toBe(true);
      after = page.nextCursor ?? undefined;
    } while (after);
    expect(seen).toEqual(newestDeletedFirst(trashed));
    expect(seen).not.toContain(kept.id);
    expect((await listTrash(db, { userId: bob.id, limit: 5 })).items.map((item) => item.id)).toEqual([
      bobs.id,
    ]);

    const recorded = recordQueries(db);
    await listTrash(recorded.db, {
      userId: alice.id,
      limit: 100,
      after: { trashedAt: trashed[5]!.trashed_at!, id: trashed[5]!.id },
    });
    expect(await planWithoutSeqScan(db, recorded.queries[0]!)).toContain('media_trash_idx');
  });

  it('picks purge candidates oldest first, narrowed by user, ids and cut-off, in batches', async ({
    db,
    alice,
  }) => {
    const all = await trashedMediaToPurge(db, { scope: {}, limit: 100 });
    expect(all.map((row) => row.id)).toEqual(expect.arrayContaining([...trashed.map((m) => m.id), bobs.id]));
    expect(all).toHaveLength(13);

    const aliceOnly = await trashedMediaToPurge(db, { scope: { userId: alice.id }, limit: 100 });
    expect(aliceOnly.map((row) => row.id)).toEqual(newestDeletedFirst(trashed).reverse());
    const firstBatch = aliceOnly.slice(0, 4);
    const second = await trashedMediaToPurge(db, {
      scope: { userId: alice.id },
      limit: 4,
      after: { trashedAt: firstBatch[3]!.trashed_at, id: firstBatch[3]!.id },
    });
    expect(second.map((row) => row.id)).toEqual(aliceOnly.slice(4, 8).map((row) => row.id));

    const expired = await trashedMediaToPurge(db, {
      scope: { trashedBy: new Date(START + 2 * HOUR) },
      limit: 100,
    });
    expect(expired.map((row) => row.id).sort()).toEqual(
      [trashed[0]!.id, trashed[1]!.id, trashed[2]!.id, bobs.id].sort(),
    );
    expect(
      await trashedMediaToPurge(db, {
        scope: { userId: alice.id, ids: [bobs.id, kept.id, trashed[3]!.id, 'nope'] },
        limit: 100,
      }),
    ).toMatchObject([{ id: trashed[3]!.id, rel_path: trashed[3]!.rel_path, size: 1234, user_id: alice.id }]);
    expect(await trashedMediaToPurge(db, { scope: { userId: alice.id, ids: [] }, limit: 100 })).toEqual([]);
  });

  it('deletes only rows still in the trash and in scope, with their album entries', async ({
    db,
    alice,
    bob,
  }) => {
    const victims = await Promise.all(
      [0, 1, 2].map(() => insertMedia(db, alice.id, { trashed_at: new Date(START) })),
    );
    const album = await db
      .insertInto('albums')
      .values({ user_id: alice.id, name: 'Doomed items' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('album_media')
      .values(victims.map((media) => ({ album_id: album.id, media_id: media.id })))
      .execute();
    await db
      .updateTable('albums')
      .set({ cover_media_id: victims[0]!.id })
      .where('id', '=', album.id)
      .execute();
    // Restored between being picked and being deleted.
    await restoreMedia(db, { userId: alice.id, ids: [victims[2]!.id] });

    const deleted = await deleteTrashedMedia(db, {
      ids: [...victims.map((media) => media.id), bobs.id, kept.id],
      scope: { userId: alice.id },
    });
    expect(deleted.map((row) => row.id).sort()).toEqual([victims[0]!.id, victims[1]!.id].sort());
    expect(deleted[0]).toMatchObject({ size: 1234, rel_path: expect.stringContaining('/2024/03/') });
    expect(await findUserMedia(db, { userId: alice.id, id: victims[0]!.id })).toBeUndefined();
    expect(await findUserMedia(db, { userId: alice.id, id: victims[2]!.id })).toBeDefined();
    expect(await findUserMedia(db, { userId: bob.id, id: bobs.id })).toBeDefined();
    const left = await db
      .selectFrom('album_media')
      .select('media_id')
      .where('album_id', '=', album.id)
      .execute();
    expect(left.map((row) => row.media_id)).toEqual([victims[2]!.id]);
    const albumRow = await db.selectFrom('albums').selectAll().where('id', '=', album.id).executeTakeFirst();
    expect(albumRow?.cover_media_id).toBeNull();

    // A cut-off narrows the deletion too: an item trashed after it stays.
    const late = await insertMedia(db, alice.id, { trashed_at: new Date(START + 100 * HOUR) });
    expect(
      await deleteTrashedMedia(db, {
        ids: [late.id],
        scope: { trashedBy: new Date(START + 99 * HOUR) },
      }),
    ).toEqual([]);
    expect(await deleteTrashedMedia(db, { ids: [], scope: {} })).toEqual([]);
  });
});
