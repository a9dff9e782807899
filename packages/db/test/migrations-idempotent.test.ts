import { Migrator, NO_MIGRATIONS, sql, type Kysely } from 'kysely';
import { describe, expect } from 'vitest';

import { migrateToLatest, type Database } from '../src/index.js';
import { migrations } from '../src/migrations/index.js';
import { scratchTargets } from './fixtures.js';

const APP_TABLES = [
  'album_media',
  'albums',
  'auth_sessions',
  'backup_sessions',
  'devices',
  'ignored_files',
  'jobs',
  'media',
  'pairing_sessions',
  'partial_uploads',
  'users',
];

const ALL_MIGRATIONS = Object.keys(migrations).sort();

async function publicTables(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely_%'
    order by table_name`.execute(db);
  return rows.map((row) => row.table_name);
}

describe.each(scratchTargets)('migrations on $label', ({ it }) => {
  it('creates every table on a fresh database, then applies nothing the second time', async ({
    createDatabase,
  }) => {
    const database = await createDatabase({ migrate: false });
    expect(await publicTables(database.db)).toEqual([]);

    expect(await migrateToLatest(database.db)).toEqual({ applied: ALL_MIGRATIONS });
    expect(await publicTables(database.db)).toEqual(APP_TABLES);

    expect(await migrateToLatest(database.db)).toEqual({ applied: [] });
    expect(await publicTables(database.db)).toEqual(APP_TABLES);
  });

  it('migrates all the way down and up again', async ({ createDatabase }) => {
    const database = await createDatabase();
    const migrator = new Migrator({ db: database.db, provider: { getMigrations: async () => migrations } });

    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect(down.results?.map((result) => [result.migrationName, result.status])).toEqual(
      [...ALL_MIGRATIONS].reverse().map((name) => [name, 'Success']),
    );
    expect(await publicTables(database.db)).toEqual([]);

    expect(await migrateToLatest(database.db)).toEqual({ applied: ALL_MIGRATIONS });
    expect(await publicTables(database.db)).toEqual(APP_TABLES);
  });
});
