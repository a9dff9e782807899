import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { migrateToLatest } from './migrate.js';
import { openDatabase, type DatabaseHandle } from './open-database.js';

/** A throwaway database for one test file. */
export interface TestDatabase extends DatabaseHandle {
  /** The scratch database's URL (PostgreSQL only), for tests that start a real server process. */
  url?: string;
  /** Closes the database and, on PostgreSQL, drops it. */
  destroy(): Promise<void>;
}

export interface TestDatabaseTarget {
  kind: 'embedded' | 'postgres';
  label: 'pglite' | 'postgres';
  /** Opens a fresh, isolated database; migrated to the latest schema unless `migrate: false`. */
  create(options?: { migrate?: boolean }): Promise<TestDatabase>;
}

/**
 * The databases every db-touching test runs against: in-memory PGlite always, plus real
 * PostgreSQL when a URL is given. Each `create()` on PostgreSQL makes its own
 * `iclood_test_<random>` database on that server (the URL's database is only used to issue
 * `create database`), so test files can run in parallel.
 *
 * Test files rarely call this themselves: each package wraps it in vitest fixtures
 * (`packages/db/test/fixtures.ts`, `apps/server/test/server-test.ts`), which create one database
 * per target for a file and destroy it after the file's last test.
 *
 * @example
 * import { testDatabaseTargets } from '@iclood/db/testing';
 *
 * const targets = testDatabaseTargets(process.env.TEST_DATABASE_URL);
 * describe.each(targets.map((target) => ({ label: target.label, it: databaseTest(target) })))('$label', ({ it }) => {
 *   it('finds nobody in a new database', async ({ db }) => {
 *     expect(await db.selectFrom('users').selectAll().execute()).toEqual([]);
 *   });
 * });
 * // databaseTest(target): test.extend('database', { scope: 'file' }, …) calling target.create().
 */
export function testDatabaseTargets(testDatabaseUrl: string | undefined): TestDatabaseTarget[] {
  const targets: TestDatabaseTarget[] = [{ kind: 'embedded', label: 'pglite', create: createEmbedded }];
  if (testDatabaseUrl) {
    targets.push({
      kind: 'postgres',
      label: 'postgres',
      create: (options) => createScratchPostgres(testDatabaseUrl, options),
    });
  }
  return targets;
}

async function createEmbedded(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const handle = await openDatabase({});
  try {
    if (options.migrate !== false) await migrateToLatest(handle.db);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return { ...handle, destroy: () => handle.close() };
}

async function createScratchPostgres(
  maintenanceUrl: string,
  options: { migrate?: boolean } = {},
): Promise<TestDatabase> {
  const name = `iclood_test_${randomBytes(6).toString('hex')}`;
  await withMaintenanceClient(maintenanceUrl, (client) => client.query(`create database ${name}`));

  const url = new URL(maintenanceUrl);
  url.pathname = `/${name}`;
  const dropScratch = (): Promise<unknown> =>
    withMaintenanceClient(maintenanceUrl, (client) =>
      client.query(`drop database if exists ${name} with (force)`),
    );

  let handle: DatabaseHandle;
  try {
    handle = await openDatabase({ url: url.toString(), poolMax: 5 });
  } catch (err) {
    await dropScratch();
    throw err;
  }
  try {
    if (options.migrate !== false) await migrateToLatest(handle.db);
  } catch (err) {
    await handle.close();
    await dropScratch();
    throw err;
  }

  let destroyed = false;
  return {
    ...handle,
    url: url.toString(),
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      await handle.close();
      await dropScratch();
    },
  };
}

async function withMaintenanceClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}
