import { Migrator, type Kysely } from 'kysely';
import { describe, expect } from 'vitest';

import { createFirstOwner, createUser, DbError, migrateToLatest, type Database } from '../src/index.js';
import { migrations } from '../src/migrations/index.js';
import { scratchTargets } from './fixtures.js';
import { pgErrorOf, sha256Of } from './helper.js';

const BEFORE_LIBRARY_FOLDER = '2026_11_21_0004_name_search';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DbError);
  return (err as DbError).code;
}

async function folders(db: Kysely<Database>): Promise<Record<string, string>> {
  const rows = await db.selectFrom('users').select(['username', 'library_folder']).execute();
  return Object.fromEntries(rows.map((row) => [row.username, row.library_folder]));
}

describe.each(scratchTargets)('library folder of a user on $label', ({ it }) => {
  it('gives existing users the folder their uploads went to, and one of their own when they shared it', async ({
    createDatabase,
  }) => {
    const database = await createDatabase({ migrate: false });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the schema before the migration
    const db = database.db as Kysely<any>;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo(BEFORE_LIBRARY_FOLDER)).error).toBeUndefined();

    // Created in this order; every one of them was accepted by the old rules.
    const legacy = ['.carol', 'carol', 'carol.', '.tmp', '..', '.', 'con', 'Dave.', 'dave', 'user'];
    const ids: Record<string, string> = {};
    for (const [i, username] of legacy.entries()) {
      const row = await db
        .insertInto('users')
        .values({
          username,
          password_hash: 'h',
          role: i === 0 ? 'owner' : 'member',
          created_at: new Date(Date.UTC(2026, 0, 1, 0, i)),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids[username] = row.id;
    }
    await db
      .insertInto('media')
      .values({
        user_id: ids['.carol'],
        original_name: 'IMG_0001.HEIC',
        rel_path: 'carol/2024/03/IMG_0001.HEIC',
        sha256: sha256Of('.carol photo'),
        size: 1,
        media_type: 'photo',
        mime: 'image/heic',
        taken_at: new Date('2024-03-10T08:15:30Z'),
      })
      .execute();

    const applied = (await migrateToLatest(database.db)).applied;
    expect(applied[0]).toBe('2026_12_05_0001_user_library_folder');
    expect(applied).toEqual(Object.keys(migrations).sort().slice(-applied.length));

    expect(await folders(database.db)).toEqual({
      carol: 'carol',
      '.carol': 'carol-2',
      'carol.': 'carol-3',
      '.tmp': 'tmp',
      user: 'user',
      '..': 'user-2',
      '.': 'user-3',
      con: '_con',
      dave: 'dave',
      'Dave.': 'Dave-2',
    });
    const media = await database.db.selectFrom('media').select(['user_id', 'rel_path']).execute();
    expect(media).toEqual([{ user_id: ids['.carol'], rel_path: 'carol/2024/03/IMG_0001.HEIC' }]);
  });

  it('refuses a folder that is not one safe path segment, or that another user has in any letter case', async ({
    createDatabase,
  }) => {
    const database = await createDatabase();
    const { db } = database;
    await createFirstOwner(db, { username: 'carol', passwordHash: 'h' });
    expect(await folders(db)).toEqual({ carol: 'carol' });

    for (const folder of ['..', '.', '.tmp', '.carol', 'carol.', 'con', 'CON.txt', 'a/b', 'a b', '']) {
      expect(
        await pgErrorOf(
          db
            .insertInto('users')
            .values({
              username: `x${folder.length}`,
              library_folder: folder,
              password_hash: 'h',
              role: 'member',
            })
            .execute(),
        ),
        folder,
      ).toEqual({ code: '23514', constraint: 'users_library_folder_check' });
    }
    for (const username of ['..', '.', '.tmp', '.carol', 'carol.', 'con']) {
      expect(await codeOf(createUser(db, { username, passwordHash: 'h', role: 'member' })), username).toBe(
        'INVALID_USERNAME',
      );
    }
    expect(
      await codeOf(
        createUser(db, { username: 'carol2', libraryFolder: 'CAROL', passwordHash: 'h', role: 'member' }),
      ),
    ).toBe('LIBRARY_FOLDER_TAKEN');
    expect(await codeOf(createUser(db, { username: 'Carol', passwordHash: 'h', role: 'member' }))).toBe(
      'USERNAME_TAKEN',
    );

    const carol2 = await createUser(db, {
      username: 'Carol.Smith',
      libraryFolder: 'carol-2',
      passwordHash: 'h',
      role: 'member',
    });
    expect(carol2.library_folder).toBe('carol-2');
  });
});
