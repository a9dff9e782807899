import { describe, expect } from 'vitest';

import {
  DbError,
  findMediaBySha256,
  insertMedia,
  type Database,
  type InsertMediaResult,
  type Kysely,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertDevice, newMedia, sha256Of, untilBlockedOnLock } from './helper.js';

async function rowsWithHash(db: Kysely<Database>, userId: string, sha256: string): Promise<string[]> {
  const rows = await db
    .selectFrom('media')
    .select('id')
    .where('user_id', '=', userId)
    .where('sha256', '=', sha256)
    .execute();
  return rows.map((row) => row.id);
}

class Rollback extends Error {}

describe.each(databasesWithAliceAndBob)('deduplicating media inserts on $label', ({ it, kind }) => {
  it('stores every column it is given and fills in the defaults', async ({ db, alice }) => {
    const device = await insertDevice(db, alice.id);
    const session = await db
      .insertInto('backup_sessions')
      .values({ user_id: alice.id, device_id: device.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    const input = newMedia(alice.id, {
      deviceId: device.id,
      sessionId: session.id,
      mediaType: 'video',
      mime: 'video/quicktime',
      size: 5 * 2 ** 30,
      takenAt: new Date('2024-03-10T08:15:30.123Z'),
      takenAtOffsetMinutes: 60,
      width: 3840,
      height: 2160,
      durationMs: 12_345,
      latitude: 48.8584,
      longitude: 2.2945,
      cameraMake: 'Apple',
      cameraModel: 'iPhone 15 Pro',
      orientation: 6,
      metadata: { lens: 'main', fps: 60 },
      localId: 'A1B2C3D4/L0/001',
      originalPath: 'DCIM/100APPLE/IMG_0001.MOV',
      modifiedAt: new Date('2024-03-11T00:00:00.000Z'),
      uploadedAt: new Date('2024-03-12T10:00:00.000Z'),
    });

    const result = await insertMedia(db, input);
    expect(result.status).toBe('created');
    expect(result.media).toMatchObject({
      user_id: alice.id,
      device_id: device.id,
      session_id: session.id,
      original_name: input.originalName,
      display_name: null,
      rel_path: input.relPath,
      sha256: input.sha256,
      size: 5 * 2 ** 30,
      media_type: 'video',
      mime: 'video/quicktime',
      taken_at: input.takenAt,
      taken_at_offset_minutes: 60,
      uploaded_at: input.uploadedAt,
      modified_at: input.modifiedAt,
      width: 3840,
      height: 2160,
      duration_ms: 12_345,
      latitude: 48.8584,
      longitude: 2.2945,
      camera_make: 'Apple',
      camera_model: 'iPhone 15 Pro',
      orientation: 6,
      metadata: { lens: 'main', fps: 60 },
      local_id: 'A1B2C3D4/L0/001',
      original_path: 'DCIM/100APPLE/IMG_0001.MOV',
      favorite: false,
      trashed_at: null,
      thumbnail_status: 'pending',
    });

    const minimal = await insertMedia(db, newMedia(alice.id));
    expect(minimal.media).toMatchObject({
      device_id: null,
      session_id: null,
      local_id: null,
      metadata: {},
      taken_at_offset_minutes: null,
    });
    expect(Math.abs(minimal.media.uploaded_at.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('answers a second insert of the same bytes with the existing row, under any name', async ({
    db,
    alice,
  }) => {
    const sha256 = sha256Of('sequential duplicate');
    const first = await insertMedia(db, newMedia(alice.id, { sha256, originalName: 'IMG_0001.HEIC' }));
    const second = await insertMedia(db, newMedia(alice.id, { sha256, originalName: 'renamed.heic' }));

    expect(first.status).toBe('created');
    expect(second).toEqual({ status: 'duplicate', media: first.media });
    expect(await rowsWithHash(db, alice.id, sha256)).toEqual([first.media.id]);
    expect(await findMediaBySha256(db, { userId: alice.id, sha256 })).toEqual(first.media);
  });

  it('creates exactly one row when ten inserts of the same bytes race', async ({ db, alice }) => {
    const sha256 = sha256Of('concurrent duplicate');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => insertMedia(db, newMedia(alice.id, { sha256 }))),
    );

    const created = results.filter((result) => result.status === 'created');
    expect(created).toHaveLength(1);
    const id = created[0]!.media.id;
    expect(results.filter((result) => result.status === 'duplicate')).toHaveLength(9);
    expect(new Set(results.map((result) => result.media.id))).toEqual(new Set([id]));
    expect(await rowsWithHash(db, alice.id, sha256)).toEqual([id]);
  });

  it('keeps one copy per user: the same bytes for two users are two rows', async ({ db, alice, bob }) => {
    const sha256 = sha256Of('shared by two users');
    const ofAlice = await insertMedia(db, newMedia(alice.id, { sha256 }));
    const ofBob = await insertMedia(db, newMedia(bob.id, { sha256 }));

    expect([ofAlice.status, ofBob.status]).toEqual(['created', 'created']);
    expect(ofAlice.media.id).not.toBe(ofBob.media.id);
    expect(await findMediaBySha256(db, { userId: bob.id, sha256 })).toEqual(ofBob.media);
  });

  it('counts an item in the trash as a duplicate and returns it as it is', async ({ db, alice }) => {
    const sha256 = sha256Of('trashed duplicate');
    const first = await insertMedia(db, newMedia(alice.id, { sha256 }));
    const trashedAt = new Date('2030-01-01T00:00:00.000Z');
    await db.updateTable('media').set({ trashed_at: trashedAt }).where('id', '=', first.media.id).execute();

    const again = await insertMedia(db, newMedia(alice.id, { sha256 }));
    expect(again.status).toBe('duplicate');
    expect(again.media).toEqual({ ...first.media, trashed_at: trashedAt });
  });

  it('works inside a caller’s transaction, which stays usable after a duplicate', async ({ db, alice }) => {
    const sha256 = sha256Of('inside a transaction');
    const outcome = await db.transaction().execute(async (trx) => {
      const first = await insertMedia(trx, newMedia(alice.id, { sha256 }));
      const second = await insertMedia(trx, newMedia(alice.id, { sha256 }));
      // A failed statement would have aborted the transaction; this one must still run.
      const third = await insertMedia(trx, newMedia(alice.id));
      return { first, second, third };
    });

    expect(outcome.first.status).toBe('created');
    expect(outcome.second).toEqual({ status: 'duplicate', media: outcome.first.media });
    expect(outcome.third.status).toBe('created');
    expect(await rowsWithHash(db, alice.id, sha256)).toEqual([outcome.first.media.id]);
    expect(await findMediaBySha256(db, { userId: alice.id, sha256: outcome.third.media.sha256 })).toEqual(
      outcome.third.media,
    );
  });

  it('waits for an uncommitted insert of the same bytes, then answers with that row', async ({
    db,
    alice,
  }) => {
    const sha256 = sha256Of('waits for the first writer');

    let racer: Promise<InsertMediaResult> | undefined;
    const winner = await db.transaction().execute(async (trx) => {
      const won = await insertMedia(trx, newMedia(alice.id, { sha256 }));
      racer = insertMedia(db, newMedia(alice.id, { sha256 }));
      await untilRacerWaits(db);
      return won;
    });

    expect(winner.status).toBe('created');
    expect(await racer).toEqual({ status: 'duplicate', media: winner.media });
  });

  it('creates the row when the insert it waited for rolls back', async ({ db, alice }) => {
    const sha256 = sha256Of('first writer rolls back');

    let racer: Promise<InsertMediaResult> | undefined;
    await expect(
      db.transaction().execute(async (trx) => {
        await insertMedia(trx, newMedia(alice.id, { sha256 }));
        racer = insertMedia(db, newMedia(alice.id, { sha256 }));
        await untilRacerWaits(db);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);

    const result = await racer!;
    expect(result.status).toBe('created');
    expect(await rowsWithHash(db, alice.id, sha256)).toEqual([result.media.id]);
  });

  it('reports a path that is already recorded as MEDIA_PATH_TAKEN, never as a duplicate', async ({
    db,
    alice,
    bob,
  }) => {
    const first = await insertMedia(db, newMedia(alice.id));
    const clash = newMedia(alice.id, { relPath: first.media.rel_path });

    const error = await insertMedia(db, clash).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(DbError);
    expect(error).toMatchObject({ code: 'MEDIA_PATH_TAKEN' });
    expect(await rowsWithHash(db, alice.id, clash.sha256)).toEqual([]);

    await expect(
      db
        .transaction()
        .execute((trx) => insertMedia(trx, newMedia(bob.id, { relPath: first.media.rel_path }))),
    ).rejects.toMatchObject({ code: 'MEDIA_PATH_TAKEN' });
  });

  it('finds nothing for another user, an unknown hash or a malformed user id', async ({ db, alice, bob }) => {
    const { media } = await insertMedia(db, newMedia(alice.id));
    expect(await findMediaBySha256(db, { userId: bob.id, sha256: media.sha256 })).toBeUndefined();
    expect(await findMediaBySha256(db, { userId: alice.id, sha256: sha256Of('unknown') })).toBeUndefined();
    expect(await findMediaBySha256(db, { userId: 'nope', sha256: media.sha256 })).toBeUndefined();
  });

  /**
   * On PostgreSQL the racer's INSERT blocks on the uncommitted row of the same key; PGlite is
   * one session, so the racer queues behind the whole transaction and a pause is all it takes.
   */
  async function untilRacerWaits(db: Kysely<Database>): Promise<void> {
    if (kind === 'postgres') await untilBlockedOnLock(db, 'insert into "media"');
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
});
