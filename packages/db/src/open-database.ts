import { access } from 'node:fs/promises';
import { join } from 'node:path';

import type { Kysely } from 'kysely';

import type { Database } from './schema.js';

export interface OpenDatabaseOptions {
  /** `postgres://…` connection string. Unset or empty → embedded PGlite. */
  url?: string;
  /** Where embedded PGlite keeps its files (created if missing). Unset → in memory. */
  embeddedDir?: string;
  /** PostgreSQL pool size. Default 10. */
  poolMax?: number;
  /** Give up connecting to PostgreSQL after this long. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /**
   * Called when an idle pooled connection fails (the server restarted, say). The pool drops the
   * connection and the next query opens a new one; without a listener such an error would crash
   * the process.
   */
  onPoolError?: (err: Error) => void;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: 'embedded' | 'postgres';
  /** Ends the pool or closes PGlite. Call once, after the last query. */
  close(): Promise<void>;
}

/**
 * Opens the database: PostgreSQL when `url` is set, otherwise embedded PGlite, and checks that it
 * answers. Throws `DbError('DATABASE_UNAVAILABLE')` when it cannot be reached; the message names
 * the host but never the password.
 *
 * @example
 * const { db, close } = await openDatabase({ url: config.databaseUrl, embeddedDir: `${dataDir}/db` });
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  // Each driver is loaded only when used: PGlite's module is ~9 MB of a PostgreSQL server's memory,
  // pg's a few MB of an embedded one's (DESIGN §7).
  if (options.url) return (await import('./open-postgres.js')).openPostgres(options.url, options);
  return (await import('./open-embedded.js')).openEmbedded(options.embeddedDir);
}

/**
 * Whether `embeddedDir` already holds an embedded database. Without one, `openDatabase` creates it,
 * copying the template this package is built with (embedded-template.ts) into place.
 *
 * @example
 * if (!(await embeddedDatabaseExists(dbDir))) log.info('creating the embedded database');
 */
export async function embeddedDatabaseExists(embeddedDir: string): Promise<boolean> {
  // The file PGlite itself looks for to decide between resuming and initdb.
  return access(join(embeddedDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}
