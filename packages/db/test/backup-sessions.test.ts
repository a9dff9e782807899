import { randomUUID } from 'node:crypto';

import { describe, expect } from 'vitest';

import {
  backupStatus,
  DbError,
  findBackupSession,
  listBackupSessions,
  recordSessionUpload,
  startBackupSession,
  stopBackupSession,
  type BackupSession,
  type BackupSessionsCursor,
  type Database,
  type Device,
  type Kysely,
  type SessionUploadOutcome,
  type User,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertDevice, insertUser, pgErrorOf, planWithoutSeqScan, recordQueries } from './helper.js';

const T0 = new Date('2030-05-01T12:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

async function storedSession(db: Kysely<Database>, id: string): Promise<BackupSession> {
  return db.selectFrom('backup_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function lastBackupAt(db: Kysely<Database>, deviceId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('devices')
    .select('last_backup_at')
    .where('id', '=', deviceId)
    .executeTakeFirstOrThrow();
  return row.last_backup_at;
}

describe.each(databasesWithAliceAndBob)('backup sessions on $label', ({ it }) => {
  async function phoneOf(db: Kysely<Database>, user: User): Promise<Device> {
    return insertDevice(db, user.id);
  }

  it('starts a running session with what the device expects to send', async ({ db, alice }) => {
    const phone = await phoneOf(db, alice);
    const session = await startBackupSession(db, {
      userId: alice.id,
      deviceId: phone.id,
      expectedFiles: 120,
      expectedBytes: 5 * 2 ** 30,
      now: T0,
    });
    expect(session).toMatchObject({
      user_id: alice.id,
      device_id: phone.id,
      status: 'running',
      started_at: T0,
      ended_at: null,
      expected_files: 120,
      expected_bytes: 5 * 2 ** 30,
      files: 0,
      bytes: 0,
      duplicates: 0,
      failures: 0,
      error: null,
    });
    expect(await findBackupSession(db, { id: session.id, userId: alice.id, deviceId: phone.id })).toEqual(
      session,
    );
  });

  it('supersedes the device’s running session when it starts another', async ({ db, alice }) => {
    const phone = await phoneOf(db, alice);
    const other = await phoneOf(db, alice);
    const first = await startBackupSession(db, { userId: alice.id, deviceId: phone.id, now: T0 });
    const ofOther = await startBackupSession(db, { userId: alice.id, deviceId: other.id, now: T0 });
    const second = await startBackupSession(db, { userId: alice.id, deviceId: phone.id, now: at(5000) });

    expect(await storedSession(db, first.id)).toEqual({
      ...first,
      status: 'cancelled',
      ended_at: at(5000),
      error: 'superseded by a new session',
    });
    expect(second.status).toBe('running');
    expect((await storedSession(db, ofOther.id)).status).toBe('running');
    expect((await backupStatus(db, { userId: alice.id, deviceId: phone.id })).current).toEqual(second);
  });

  it('leaves exactly one session running when a device starts several at once', async ({ db, alice }) => {
    const phone = await phoneOf(db, alice);
    const started = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        startBackupSession(db, { userId: alice.id, deviceId: phone.id, now: at(i) }),
      ),
    );
    const stored = await db
      .selectFrom('backup_sessions')
      .selectAll()
      .where('device_id', '=', phone.id)
      .execute();
    expect(stored).toHaveLength(8);
    expect(stored.filter((session) => session.status === 'running')).toHaveLength(1);
    expect(stored.filter((session) => session.status === 'cancelled')).toHaveLength(7);
    expect(started.map((session) => session.id).sort()).toEqual(stored.map((session) => session.id).sort());
  });

  it('refuses a second running session for a device in the schema itself', async ({ db, alice }) => {
    const phone = await phoneOf(db, alice);
    await startBackupSession(db, { userId: alice.id, deviceId: phone.id, now: T0 });
    expect(
      await pgErrorOf(
        db.insertInto('backup_sessions').values({ user_id: alice.id, device_id: phone.id }).execute(),
      ),
    ).toEqual({ code: '23505', constraint: 'backup_sessions_one_running_per_device' });
  });

  it('refuses to start a session for another user’s device or a revoked one', async ({ db, alice, bob }) => {
    const bobs = await phoneOf(db, bob);
    const revoked = await insertDevice(db, alice.id, { revoked_at: T0 });
    for (const deviceId of [bobs.id, revoked.id, randomUUID(), 'not-a-uuid']) {
      const error = await startBackupSession(db, { userId: alice.id, deviceId, now: T0 }).catch(
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(DbError);
      expect(error).toMatchObject({ code: 'DEVICE_NOT_FOUND' });
    }
    expect(
      await db.selectFrom('backup_sessions').select('id').where('device_id', '=', bobs.id).execute(),
    ).toEqual([]);
  });

  it('does not let another device, even the same user’s, use a session', async ({ db, alice, bob }) => {
    const phone = await phoneOf(db, alice);
    const tablet = await phoneOf(db, alice);
    const session = await startBackupSession(db, { userId: alice.id, deviceId: phone.id, now: T0 });
    const asTablet = { id: session.id, userId: alice.id, deviceId: tablet.id };

    expect(await findBackupSession(db, asTablet)).toBeUndefined();
    expect(await findBackupSession(db, { ...asTablet, deviceId: phone.id, userId: bob.id })).toBeUndefined();
    expect(await findBackupSession(db, { ...asTablet, id: 'not-a-uuid' })).toBeUndefined();
    expect(
      await recordSessionUpload(db, {
        sessionId: session.id,
        userId: alice.id,
        deviceId: tablet.id,
        outcome: 'created',
        bytes: 10,
      }),
    ).toBe(false);
    expect(await stopBackupSession(db, { ...asTablet, now: at(1) })).toBeUndefined();

    expect(await storedSession(db, session.id)).toEqual(session);
  });

  it('counts 50 concurrent uploads exactly', async ({ db, alice }) => {
    const phone = await phoneOf(db, alice);
    const session = await startBackupSession(db, { userId: alice.id, deviceId: phone.id, now: T0 });
    const outcomes: SessionUploadOutcome[] = Array.from({ length: 50 }, (_, i) =>
      i % 5 === 0 ? 'failed' : i % 5 === 1 ? 'duplicate' : 'created',
    );
    const recorded = await Promise.all(
      outcomes.map((outcome, i) =>
        recordSessionUpload(db, {
          sessionId: session.id,
          userId: alice.id,
          deviceId: phone.id,
          outcome,
          bytes: 1_000_000 + i,
        }),
      ),
    );

    expect(recorded.every(Boolean)).toBe(true);
    const createdBytes = outcomes.reduce(
      (sum, outcome, i) => (outcome === 'created' ? sum + 1_000_000 + i : sum),
      0,
    );
    expect(await storedSession(db, session.id)).toMatchObject({
      status: 'running',
      files: 30,
      bytes: createdBytes,
      duplicates: 10,
      failures: 10,
    });
  });

  it('completes a session and records when it ended as the device’s last backup, and when it started', async ({
    db,
    alice,
  }) => {
    const phone = await phoneOf(db, alice);
    const session = await startBackupSession(db, { userId: alice.id, deviceId: phone.id, now: at(1000) });
    await recordSessionUpload(db, {
      sessionId: session.id,
      userId: alice.id,
      deviceId: phone.id,
      outcome: 'created',
      bytes: 42,
    });

    const stopped = await stopBackupSession(db, {
      id: session.id,
      userId: alice.id,
      deviceId: phone.id,
      now: at(60_000),
    });
    expect(stopped).toMatchObject({
      status: 'completed',
      ended_at: at(60_000),
      error: null,
      files: 1,
      bytes: 42,
    });
    expect(await lastBackupAt(db, phone.id)).toEqual(at(60_000));
    expect(await backupStatus(db, { userId: alice.id, deviceId: phone.id })).toEqual({
      current: null,
      lastCompletedAt: at(60_000),
      lastCompletedStartedAt: at(1000),
    });

    // Ended: no more counting, and stopping again changes nothing.
    expect(
      await recordSessionUpload(db, {
        sessionId: session.id,
        userId: alice.id,
        deviceId: phone.id,
        outcome: 'created',
        bytes: 1,
      }),
    ).toBe(false);
    expect(
      await stopBackupSession(db, {
        id: session.id,
        userId: alice.id,
        deviceId: phone.id,
        now: at(90_000),
        error: 'x',
      }),
    ).toEqual(stopped);
    expect(await lastBackupAt(db, phone.id)).toEqual(at(60_000));
  });

  it('fails a session with the device’s error, leaving the last backup time alone', async ({ db, alice }) => {
    const phone = await phoneOf(db, alice);
    const done = await startBackupSession(db, { userId: alice.id, deviceId: phone.id, now: T0 });
    await stopBackupSession(db, { id: done.id, userId: alice.id, deviceId: phone.id, now: at(10) });
    const broken = await startBackupSession(db, { userId: alice.id, deviceId: phone.id, now: at(20) });

    const stopped = await stopBackupSession(db, {
      id: broken.id,
      userId: alice.id,
      deviceId: phone.id,
      now: at(30),
      error: 'Wi-Fi lost',
    });
    expect(stopped).toMatchObject({ status: 'failed', ended_at: at(30), error: 'Wi-Fi lost' });
    expect(await lastBackupAt(db, phone.id)).toEqual(at(10));
    expect(await backupStatus(db, { userId: alice.id, deviceId: phone.id })).toMatchObject({
      lastCompletedAt: at(10),
      lastCompletedStartedAt: T0,
    });
  });

  it('reports the running session and the last completed backup', async ({ db, alice, bob }) => {
    const phone = await phoneOf(db, alice);
    expect(await backupStatus(db, { userId: alice.id, deviceId: phone.id })).toEqual({
      current: null,
      lastCompletedAt: null,
      lastCompletedStartedAt: null,
    });
    const running = await startBackupSession(db, { userId: alice.id, deviceId: phone.id, now: T0 });
    expect(await backupStatus(db, { userId: alice.id, deviceId: phone.id })).toEqual({
      current: running,
      lastCompletedAt: null,
      lastCompletedStartedAt: null,
    });
    expect(await backupStatus(db, { userId: bob.id, deviceId: phone.id })).toEqual({
      current: null,
      lastCompletedAt: null,
      lastCompletedStartedAt: null,
    });
    expect(await backupStatus(db, { userId: alice.id, deviceId: 'nope' })).toEqual({
      current: null,
      lastCompletedAt: null,
      lastCompletedStartedAt: null,
    });
  });

  it('pages the history newest first, for the user or one device', async ({ db, bob }) => {
    const user = await insertUser(db);
    const phone = await insertDevice(db, user.id);
    const tablet = await insertDevice(db, user.id);
    const sessions: BackupSession[] = [];
    for (let i = 0; i < 7; i++) {
      const deviceId = i % 2 === 0 ? phone.id : tablet.id;
      // Two sessions share each start time, so pages must split ties by id.
      const session = await startBackupSession(db, {
        userId: user.id,
        deviceId,
        now: at(Math.floor(i / 2) * 1000),
      });
      sessions.push(
        await stopBackupSession(db, {
          id: session.id,
          userId: user.id,
          deviceId,
          now: at(i * 1000 + 500),
        }).then((s) => s!),
      );
    }
    const newestFirst = [...sessions].sort(
      (x, y) => y.started_at.getTime() - x.started_at.getTime() || (y.id < x.id ? -1 : y.id > x.id ? 1 : 0),
    );

    const all: BackupSession[] = [];
    let before: BackupSessionsCursor | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await listBackupSessions(db, { userId: user.id, limit: 3, ...(before ? { before } : {}) });
      all.push(...page.items);
      if (!page.nextCursor) break;
      before = page.nextCursor;
    }
    expect(all).toEqual(newestFirst);

    const ofPhone = await listBackupSessions(db, { userId: user.id, deviceId: phone.id, limit: 10 });
    expect(ofPhone).toEqual({ items: newestFirst.filter((s) => s.device_id === phone.id), nextCursor: null });
    expect(await listBackupSessions(db, { userId: bob.id, deviceId: phone.id, limit: 10 })).toEqual({
      items: [],
      nextCursor: null,
    });
    expect(await listBackupSessions(db, { userId: user.id, deviceId: 'nope', limit: 10 })).toEqual({
      items: [],
      nextCursor: null,
    });
    await expect(listBackupSessions(db, { userId: user.id, limit: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it('pages every user’s history for an admin, or one device’s whoever owns it', async ({ db }) => {
    const carol = await insertUser(db);
    const dave = await insertUser(db);
    const carols = await insertDevice(db, carol.id);
    const daves = await insertDevice(db, dave.id);
    const later = new Date('2031-01-01T00:00:00.000Z').getTime();
    const ended: BackupSession[] = [];
    for (const [i, [user, device]] of [
      [carol, carols],
      [dave, daves],
      [carol, carols],
    ].entries() as IterableIterator<[number, [User, Device]]>) {
      const session = await startBackupSession(db, {
        userId: user.id,
        deviceId: device.id,
        now: new Date(later + i * 1000),
      });
      ended.push(
        (await stopBackupSession(db, {
          id: session.id,
          userId: user.id,
          deviceId: device.id,
          now: new Date(later + i * 1000 + 500),
        }))!,
      );
    }
    const first = await listBackupSessions(db, { everyUser: true, limit: 2 });
    expect(first.items).toEqual([ended[2], ended[1]]);
    const second = await listBackupSessions(db, { everyUser: true, limit: 2, before: first.nextCursor! });
    expect(second.items[0]).toEqual(ended[0]);
    expect(await listBackupSessions(db, { everyUser: true, deviceId: daves.id, limit: 10 })).toEqual({
      items: [ended[1]],
      nextCursor: null,
    });
    expect((await listBackupSessions(db, { userId: carol.id, limit: 10 })).items).toEqual([
      ended[2],
      ended[0],
    ]);

    // The household's history is read by index in its own order, a page at a time: no sort of
    // every session the household ever ran.
    const recorded = recordQueries(db);
    await listBackupSessions(recorded.db, { everyUser: true, limit: 2, before: first.nextCursor! });
    const plan = await planWithoutSeqScan(db, recorded.queries[0]!);
    expect(plan).toMatch(/Index Scan using backup_sessions_started_idx/);
    expect(plan).not.toMatch(/Sort/);
  });
});
