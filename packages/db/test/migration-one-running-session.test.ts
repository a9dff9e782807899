import { Migrator } from 'kysely';
import { describe, expect } from 'vitest';

import { migrateToLatest } from '../src/index.js';
import { migrations } from '../src/migrations/index.js';
import { scratchTargets } from './fixtures.js';
import { insertDevice } from './helper.js';

describe.each(scratchTargets)('the one-running-session-per-device migration on $label', ({ it }) => {
  it('keeps only the newest running session of each device when it adds the index', async ({
    createDatabase,
  }) => {
    const { db } = await createDatabase({ migrate: false });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const initial = await migrator.migrateTo('2026_11_21_0001_initial');
    expect(initial.error).toBeUndefined();

    // The schema of the time: users had no library_folder yet.
    const user = await db
      .insertInto('users')
      .values({ username: 'early', password_hash: 'h', role: 'owner' } as never)
      .returning('id')
      .executeTakeFirstOrThrow();
    const phone = await insertDevice(db, user.id);
    const tablet = await insertDevice(db, user.id);
    const session = (deviceId: string, startedAt: string, status: 'running' | 'completed' = 'running') =>
      db
        .insertInto('backup_sessions')
        .values({ user_id: user.id, device_id: deviceId, status, started_at: new Date(startedAt) })
        .returning('id')
        .executeTakeFirstOrThrow();
    const older = await session(phone.id, '2030-01-01T00:00:00Z');
    const newer = await session(phone.id, '2030-01-02T00:00:00Z');
    const done = await session(phone.id, '2029-12-31T00:00:00Z', 'completed');
    const onlyOne = await session(tablet.id, '2030-01-01T00:00:00Z');

    const ingest = await migrator.migrateTo('2026_11_21_0002_ingest');
    expect(ingest.error).toBeUndefined();
    expect(ingest.results?.map((result) => result.migrationName)).toEqual(['2026_11_21_0002_ingest']);
    await migrateToLatest(db);

    const rows = await db.selectFrom('backup_sessions').select(['id', 'status', 'error']).execute();
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(older.id)).toMatchObject({ status: 'cancelled', error: 'superseded by a new session' });
    expect(byId.get(newer.id)).toMatchObject({ status: 'running', error: null });
    expect(byId.get(done.id)).toMatchObject({ status: 'completed', error: null });
    expect(byId.get(onlyOne.id)).toMatchObject({ status: 'running', error: null });
  });
});
