import type { Kysely, Transaction } from 'kysely';

import type { Database } from './schema.js';

/**
 * Runs `run` in a transaction: the caller's, when `db` already is one (so a repository function
 * joins a larger unit of work instead of committing on its own), otherwise a new one.
 */
export async function inTransaction<T>(
  db: Kysely<Database>,
  run: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? run(db as Transaction<Database>) : db.transaction().execute(run);
}
