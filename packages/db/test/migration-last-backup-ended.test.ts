import { Migrator, sql, type Kysely } from 'kysely';
import { describe, expect } from 'vitest';

import { migrateToLatest } from '../src/index.js';
import { migrations } from '../src/migrations/index.js';
import { scratchTargets } from './fixtures.js';

const BEFORE = '2026_12_05_0001_user_library_folder';

describe.each(scratchTargets)('existing pairings and last backup times, migrated, on $label', ({ it }) => {
  it('moves last_backup_at to when the last completed session ended, and records who opened each pairing', async ({
    createDatabase,
  }) => {
    const database = await createDatabase({ migrate: false });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema before the migration
    const db = database.db as Kysely<any>;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();

    const { id: userId } = await db
      .insertInto('users')
      .values({ username: 'ada', library_folder: 'ada', password_hash: 'x', role: 'owner' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const device = async (name: string, lastBackupAt: Date | null) =>
      (
        await db
          .insertInto('devices')
          .values({
            user_id: userId,
            name,
            platform: 'ios',
            scopes: sql`array['media.upload']::text[]`,
            token_id: sql`gen_random_uuid()`,
            last_backup_at: lastBackupAt,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id as string;
    const backedUp = await device('backed up', new Date('2026-01-02T10:00:00Z'));
    const never = await device('never', null);
    const session = (deviceId: string, status: string, startedAt: string, endedAt: string) =>
      db
        .insertInto('backup_sessions')
        .values({
          user_id: userId,
          device_id: deviceId,
          status,
          started_at: new Date(startedAt),
          ended_at: new Date(endedAt),
        })
        .execute();
    await session(backedUp, 'completed', '2026-01-01T10:00:00Z', '2026-01-01T10:30:00Z');
    await session(backedUp, 'completed', '2026-01-02T10:00:00Z', '2026-01-02T10:45:00Z');
    await session(backedUp, 'failed', '2026-01-03T10:00:00Z', '2026-01-03T10:05:00Z');
    await db
      .insertInto('pairing_sessions')
      .values({
        user_id: userId,
        code_hash: 'c',
        secret_hash: 's',
        expires_at: new Date('2026-01-01T00:10:00Z'),
      })
      .execute();

    await migrateToLatest(database.db);

    const rows = await database.db.selectFrom('devices').select(['id', 'last_backup_at']).execute();
    expect(Object.fromEntries(rows.map((row) => [row.id, row.last_backup_at]))).toEqual({
      [backedUp]: new Date('2026-01-02T10:45:00Z'),
      [never]: null,
    });
    expect(
      await database.db.selectFrom('pairing_sessions').select(['user_id', 'opened_by']).execute(),
    ).toEqual([{ user_id: userId, opened_by: userId }]);
  });
});
