/* eslint-disable no-empty-pattern -- Vitest reads a fixture's dependencies from its first argument, which must be a destructuring pattern */
import { test } from 'vitest';

import type { TestDatabase, TestDatabaseTarget } from '../src/testing.js';
import { insertUser, targets } from './helper.js';

/**
 * Vitest fixtures for the db tests, one `it` per database target. Use them as
 *
 *   describe.each(databasesWithAliceAndBob)('auth sessions on $label', ({ it }) => {
 *     it('finds an active session', async ({ db, alice }) => { ... });
 *   });
 *
 * Each list holds one entry per target (PGlite always, PostgreSQL when TEST_DATABASE_URL is set):
 * the target itself (`label`, `kind`, `create`) plus an `it` whose fixtures live on that target.
 * Every `.extend` below makes a test API of its own, so each target gets its own database; for
 * the same reason, do not `.extend` an `it` from these lists in a test file (the new API would
 * open a second database). A file's own seed goes in `it.beforeAll(async ({ db, alice }) => ...)`.
 */

/** `createDatabase(options)`: a fresh database for one test, destroyed once that test is over. */
function scratchTest(target: TestDatabaseTarget) {
  return test.extend('createDatabase', async ({}, { onCleanup }) => {
    const created: TestDatabase[] = [];
    onCleanup(async () => {
      for (const database of created) await database.destroy();
    });
    return async (options?: { migrate?: boolean }): Promise<TestDatabase> => {
      const database = await target.create(options);
      created.push(database);
      return database;
    };
  });
}

/**
 * `database`: one migrated database for the whole test file, made before its first test and
 * destroyed after its last; `db` is its Kysely instance.
 */
function databaseTest(target: TestDatabaseTarget) {
  return scratchTest(target)
    .extend('database', { scope: 'file', auto: true }, async ({}, { onCleanup }) => {
      const database = await target.create();
      onCleanup(() => database.destroy());
      return database;
    })
    .extend('db', { scope: 'file' }, ({ database }) => database.db);
}

/** `alice`: the owner, username `alice`, made in the file's database before its first test. */
function withAlice(target: TestDatabaseTarget) {
  return databaseTest(target).extend('alice', { scope: 'file', auto: true }, ({ db }) =>
    insertUser(db, { username: 'alice', role: 'owner' }),
  );
}

/** `alice` as above, then `bob`: a member, username `bob`. */
function withAliceAndBob(target: TestDatabaseTarget) {
  return withAlice(target).extend('bob', { scope: 'file', auto: true }, ({ db }) =>
    insertUser(db, { username: 'bob' }),
  );
}

/** Per target: `createDatabase` only, for tests that make (and migrate) their own databases. */
export const scratchTargets = targets.map((target) => ({ ...target, it: scratchTest(target) }));

/** Per target: one migrated, empty database per file (`database`, `db`). */
export const databases = targets.map((target) => ({ ...target, it: databaseTest(target) }));

/** Per target: one database per file holding `alice` (the owner). */
export const databasesWithAlice = targets.map((target) => ({ ...target, it: withAlice(target) }));

/** Per target: one database per file holding `alice` (the owner) and `bob` (a member). */
export const databasesWithAliceAndBob = targets.map((target) => ({ ...target, it: withAliceAndBob(target) }));
