import { Migrator, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

import { migrateToLatest } from '../src/index.js';
import { migrations } from '../src/migrations/index.js';
import type { TestDatabase } from '../src/testing.js';
import { pgErrorOf, targets } from './helper.js';

const BEFORE_ADMIN_ROLE = '2026_12_05_0001_user_library_folder';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema around the migration
async function roles(db: Kysely<any>): Promise<Record<string, string>> {
  const rows = await db.selectFrom('users').select(['username', 'role']).execute();
  return Object.fromEntries(rows.map((row: { username: string; role: string }) => [row.username, row.role]));
}

describe.each(targets)('the admin role migration on $label', (target) => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.destroy();
    database = undefined;
  });

  it('keeps every user as they were, then accepts admins; going down makes them members again', async () => {
    database = await target.create({ migrate: false });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema around the migration
    const db = database.db as Kysely<any>;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo(BEFORE_ADMIN_ROLE)).error).toBeUndefined();

    const insert = (username: string, role: string) =>
      db
        .insertInto('users')
        .values({ username, library_folder: username, password_hash: 'h', role })
        .execute();
    await insert('root', 'owner');
    await insert('ada', 'member');
    // Before: no such role.
    expect(await pgErrorOf(insert('early', 'admin'))).toEqual({
      code: '23514',
      constraint: 'users_role_check',
    });

    expect(await migrateToLatest(db)).toEqual({ applied: ['2026_12_12_0001_admin_role'] });
    expect(await roles(db)).toEqual({ root: 'owner', ada: 'member' });
    await insert('bob', 'admin');
    await db.updateTable('users').set({ role: 'admin' }).where('username', '=', 'ada').execute();
    expect(await pgErrorOf(insert('eve', 'root'))).toEqual({ code: '23514', constraint: 'users_role_check' });
    // Still one owner at most.
    expect(await pgErrorOf(insert('second', 'owner'))).toEqual({
      code: '23505',
      constraint: 'users_one_owner',
    });

    expect((await migrator.migrateTo(BEFORE_ADMIN_ROLE)).error).toBeUndefined();
    expect(await roles(db)).toEqual({ root: 'owner', ada: 'member', bob: 'member' });
  });
});
