import { Migrator, type Kysely } from 'kysely';
import { describe, expect } from 'vitest';

import { migrateToLatest } from '../src/index.js';
import { migrations } from '../src/migrations/index.js';
import { scratchTargets } from './fixtures.js';
import { pgErrorOf } from './helper.js';

const BEFORE_ADMIN_ROLE = '2026_12_06_0002_last_backup_ended';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema around the migration
async function roles(db: Kysely<any>): Promise<Record<string, string>> {
  const rows = await db.selectFrom('users').select(['username', 'role']).execute();
  return Object.fromEntries(rows.map((row: { username: string; role: string }) => [row.username, row.role]));
}

describe.each(scratchTargets)('the admin role migration on $label', ({ it }) => {
  it('keeps every user as they were, then accepts admins; going down makes them members again', async ({
    createDatabase,
  }) => {
    const database = await createDatabase({ migrate: false });
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

    // Up to the latest: the admin role first, then whatever came after it.
    const after = Object.keys(migrations)
      .filter((name) => name > BEFORE_ADMIN_ROLE)
      .sort();
    expect(after[0]).toBe('2026_12_06_0003_admin_role');
    expect(await migrateToLatest(db)).toEqual({ applied: after });
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
