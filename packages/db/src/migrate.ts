import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';

import { DbError } from './errors.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export interface MigrateOptions {
  /** Added to the built-in list; for tests of the migration machinery itself. */
  extraMigrations?: Record<string, Migration>;
}

/**
 * Applies every pending migration. Kysely runs the whole batch in one transaction under an
 * advisory lock, so a failure leaves none of the batch applied and two servers starting at once
 * do not race. Calling it again applies nothing.
 *
 * @example
 * const { applied } = await migrateToLatest(db); // every migration's name on a fresh database, [] after
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  options: MigrateOptions = {},
): Promise<{ applied: string[] }> {
  const all = { ...migrations, ...options.extraMigrations };
  const provider: MigrationProvider = { getMigrations: async () => all };
  const migrator = new Migrator({ db, provider });

  let outcome: Awaited<ReturnType<Migrator['migrateToLatest']>>;
  try {
    outcome = await migrator.migrateToLatest();
  } catch (err) {
    // migrateToLatest reports migration failures in its result; a throw is a driver failure.
    throw new DbError('MIGRATION_FAILED', `Database migration failed: ${describe(err)}`, { cause: err });
  }

  const { error, results = [] } = outcome;
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const what = failed === undefined ? 'Database migration failed' : `Database migration ${failed} failed`;
    throw new DbError('MIGRATION_FAILED', `${what}: ${describe(error)}`, { cause: error });
  }
  return {
    applied: results.filter((result) => result.status === 'Success').map((result) => result.migrationName),
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
