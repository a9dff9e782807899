import { sql, type Kysely, type Migration } from 'kysely';
import { describe, expect } from 'vitest';

import { DbError, migrateToLatest, type Database } from '../src/index.js';
import { migrations } from '../src/migrations/index.js';
import { databases } from './fixtures.js';

const goodMigration: Migration = {
  async up(db) {
    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'serial', (col) => col.primaryKey())
      .execute();
    await sql`alter table users add column nickname text`.execute(db);
  },
};

const brokenMigration: Migration = {
  async up(db) {
    await sql`alter table no_such_table add column x int`.execute(db);
  },
};

async function tableExists(db: Kysely<Database>, name: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select to_regclass(${name}) is not null as found`.execute(
    db,
  );
  return rows[0]?.found === true;
}

async function userColumns(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ column_name: string }>`
    select column_name from information_schema.columns
    where table_schema = 'public' and table_name = 'users' order by column_name`.execute(db);
  return rows.map((row) => row.column_name);
}

describe.each(databases)('a failing migration batch on $label', ({ it }) => {
  it('applies none of the batch and leaves the schema as it was', async ({ db }) => {
    const columnsBefore = await userColumns(db);

    const failure = await migrateToLatest(db, {
      extraMigrations: {
        '2099_01_01_0001_add_audit_log': goodMigration,
        '2099_01_01_0002_broken': brokenMigration,
      },
    }).then(
      () => undefined,
      (err: unknown) => err,
    );

    expect(failure).toBeInstanceOf(DbError);
    expect((failure as DbError).code).toBe('MIGRATION_FAILED');
    expect((failure as DbError).message).toContain('2099_01_01_0002_broken');
    expect((failure as DbError).message).toContain('no_such_table');

    expect(await tableExists(db, 'audit_log')).toBe(false);
    expect(await userColumns(db)).toEqual(columnsBefore);
    expect(columnsBefore).not.toContain('nickname');
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    expect(rows.map((row) => row.name)).toEqual(Object.keys(migrations).sort());
  });

  it('still applies the good migration on its own afterwards', async ({ db }) => {
    const result = await migrateToLatest(db, {
      extraMigrations: { '2099_01_01_0001_add_audit_log': goodMigration },
    });
    expect(result).toEqual({ applied: ['2099_01_01_0001_add_audit_log'] });
    expect(await tableExists(db, 'audit_log')).toBe(true);
  });
});
