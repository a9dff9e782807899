import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely } from 'kysely';

import type { Database } from './schema.js';

import { describe, INT8_OID, NUMERIC_OID, toNumber } from './driver-shared.js';
import {
  createEmbeddedFromTemplate,
  EMBEDDED_TEMPLATE,
  embeddedTemplateAvailable,
} from './embedded-template.js';
import { DbError } from './errors.js';
import { embeddedDatabaseExists, type DatabaseHandle } from './open-database.js';
import { PGliteDialect } from './pglite-dialect.js';
import { DurableNodeFS, durableStartParams, embeddedStartParams } from './pglite-durable-fs.js';

/** Embedded PGlite in `embeddedDir`, or in memory; loaded only by a server that runs it. */
export async function openEmbedded(embeddedDir: string | undefined): Promise<DatabaseHandle> {
  let pglite: PGlite;
  try {
    if (embeddedDir !== undefined) {
      await mkdir(dirname(embeddedDir), { recursive: true });
      // Copied from the template, not made by PGlite's initdb: see embedded-template.ts.
      if (!(await embeddedDatabaseExists(embeddedDir)) && embeddedTemplateAvailable()) {
        await createEmbeddedFromTemplate(embeddedDir);
      }
      await mkdir(embeddedDir, { recursive: true });
    }
    const inMemoryTemplate =
      embeddedDir === undefined && embeddedTemplateAvailable()
        ? { loadDataDir: new Blob([await readFile(EMBEDDED_TEMPLATE)]) }
        : {};
    pglite = await PGlite.create({
      ...inMemoryTemplate,
      // On disk: flushed at every commit and checkpoint like a normal PostgreSQL (PGlite's own
      // default is fsync off; see pglite-durable-fs.ts). In memory there is nothing to flush.
      ...(embeddedDir === undefined
        ? { startParams: embeddedStartParams() }
        : { fs: new DurableNodeFS(embeddedDir), startParams: durableStartParams() }),
      parsers: { [INT8_OID]: toNumber, [NUMERIC_OID]: toNumber },
      // Trigram indexes serve the substring search of media/list (migration 0004).
      extensions: { pg_trgm },
    });
  } catch (err) {
    const where = embeddedDir === undefined ? 'in memory' : `in ${embeddedDir}`;
    const message = `Cannot open the embedded database ${where}: ${describe(err)}`;
    throw new DbError('DATABASE_UNAVAILABLE', message, { cause: err });
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  const close = async (): Promise<void> => {
    await db.destroy();
    // Kysely only destroys a driver it has initialized, i.e. after a first query.
    if (!pglite.closed) await pglite.close();
  };
  return { db, kind: 'embedded', close };
}
