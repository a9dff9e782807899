import { performance } from 'node:perf_hooks';
import fp from 'fastify-plugin';
import { embeddedDatabaseExists, migrateToLatest, openDatabase, type DatabaseHandle } from '@iclood/db';
import type { DataLayout } from '@iclood/storage';
import type { App } from '../../types.js';

export interface DatabasePluginOptions {
  layout: DataLayout;
  /** Given by tests; left open on close. */
  database?: DatabaseHandle;
}

/**
 * Opens the database (embedded PGlite in `<data>/db`, or PostgreSQL when DATABASE_URL is set),
 * brings the schema up to date, and closes it after in-flight requests on shutdown.
 */
export default fp<DatabasePluginOptions>(
  async function databasePlugin(app: App, { layout, database }) {
    const owned = database === undefined;
    // Creating the embedded database takes seconds, a minute or more on a busy Pi: the terminal
    // says so, or a first start would look hung.
    const creating = owned && !app.config.databaseUrl && !(await embeddedDatabaseExists(layout.dbDir));
    const startedAt = performance.now();
    if (creating) {
      app.log.info(
        { dir: layout.dbDir },
        'creating the embedded database (first start; this can take a few minutes on a slow machine)',
      );
    }
    const handle =
      database ?? (await openDatabase({ url: app.config.databaseUrl, embeddedDir: layout.dbDir }));
    try {
      const { applied } = await migrateToLatest(handle.db);
      if (applied.length > 0) app.log.info({ migrations: applied }, 'database schema updated');
    } catch (error) {
      if (owned) await handle.close();
      throw error;
    }
    if (creating) {
      const seconds = Math.round((performance.now() - startedAt) / 100) / 10;
      app.log.info({ seconds }, `embedded database created in ${seconds} s`);
    }
    app.log.info({ database: handle.kind }, 'database ready');

    app.decorate('database', handle);
    app.decorate('db', handle.db);
    if (owned) app.addHook('onClose', async () => handle.close());
  },
  { name: 'database' },
);
