import fp from 'fastify-plugin';
import { recordedRelPaths } from '@iclood/db';
import { sweepLibrary } from '@iclood/storage';
import { ingestDepsOf } from '../../services/ingest/ingest.js';
import { sweepExpiredUploads } from '../../services/ingest/resumable.js';
import type { App } from '../../types.js';

/**
 * Start-up sweep (DESIGN §6): temp files of uploads a crash interrupted are removed, and a file
 * placed in the library whose row was never committed (a crash between the two) is removed too —
 * it was never acknowledged, so the phone still has it and will send it again. Resumable uploads
 * past their expiry go too; those still valid keep their acknowledged bytes.
 */
export default fp(
  async function librarySweep(app: App) {
    const result = await sweepLibrary({
      libraryDir: app.config.libraryDir,
      isRecorded: (relPaths) => recordedRelPaths(app.db, relPaths),
    });
    const touched =
      result.removedTempFiles +
      result.removedOrphans +
      result.keptConfirmed +
      result.ignoredIntents +
      (result.removals?.intents ?? 0);
    app.log[touched > 0 ? 'warn' : 'info'](result, 'library swept after start');
    const expired = await sweepExpiredUploads(ingestDepsOf(app));
    if (expired.files > 0) app.log.info(expired, 'expired resumable uploads removed');
  },
  { name: 'library-sweep', dependencies: ['database'] },
);
