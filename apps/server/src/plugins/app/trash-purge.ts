import fp from 'fastify-plugin';
import type { PurgeResult } from '@iclood/api-types';
import { purgeExpiredTrash } from '../../services/library/trash.js';
import type { App } from '../../types.js';

const HOUR_MS = 3_600_000;

/** The periodic purge of the trash, decorated on the app as `trashPurge`. */
export interface TrashPurge {
  /** Purges what has expired now (after any run under way), and says what was freed. */
  runNow(): Promise<PurgeResult>;
}

declare module 'fastify' {
  interface FastifyInstance {
    trashPurge: TrashPurge;
  }
}

export interface TrashPurgePluginOptions {
  /** How often to purge; hourly by default. */
  intervalMs?: number;
}

/**
 * Items in the trash longer than ICLOOD_TRASH_DAYS are removed for good: once when the server is
 * ready, then every hour. Runs never overlap, a failed run is logged and retried at the next
 * tick, the timer never keeps the process alive, and shutdown waits for a run under way before
 * the database closes.
 */
export default fp<TrashPurgePluginOptions>(
  async function trashPurge(app: App, options) {
    const intervalMs = options.intervalMs ?? HOUR_MS;
    let running: Promise<unknown> = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    let closing = false;

    const runNow = (): Promise<PurgeResult> => {
      const run = running.catch(() => undefined).then(() => purgeExpiredTrash(app));
      running = run;
      return run;
    };
    const scheduledRun = (): void => {
      if (closing) return;
      runNow().then(
        (freed) => {
          if (freed.items > 0) app.log.info(freed, 'expired trash purged');
        },
        (error: unknown) => app.log.error({ err: error }, 'purging the expired trash failed'),
      );
    };

    app.decorate('trashPurge', { runNow });
    app.addHook('onReady', async () => {
      scheduledRun();
      timer = setInterval(scheduledRun, intervalMs);
      timer.unref();
    });
    app.addHook('preClose', async () => {
      closing = true;
      clearInterval(timer);
      await running.catch(() => undefined);
    });
  },
  { name: 'trash-purge', dependencies: ['database'] },
);
