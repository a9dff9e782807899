import { CleanupResult, SuccessEnvelope, SystemStorage, withErrorResponses } from '@iclood/api-types';
import { ok } from '../../../envelope.js';
import { cleanUpStorage, storageReport } from '../../../services/library/storage-report.js';
import { principalOf, type AppPlugin } from '../../../types.js';

/** Where the space goes, and giving some back. */
const systemStorageRoutes: AppPlugin = async (app) => {
  app.get(
    '/storage',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['system'],
        summary: 'Disk space, library size by type, user and device, thumbnails, trash, and warnings',
        description:
          'The owner sees the whole household. A member sees the disk and their own library only: ' +
          '`scope` is `user`, `byUser` lists just them, and `thumbnails` is null.',
        response: withErrorResponses({ 200: SuccessEnvelope(SystemStorage) }),
      },
    },
    async (request) => ok(await storageReport(app, principalOf(request))),
  );

  // One cleanup at a time; a second request waits for the first and then runs its own.
  let running: Promise<unknown> = Promise.resolve();

  app.post(
    '/cleanup',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['system'],
        summary: 'Purge expired trash, abandoned uploads and orphan thumbnails; says what was freed',
        response: withErrorResponses({ 200: SuccessEnvelope(CleanupResult) }),
      },
    },
    async () => {
      const cleanup = running.then(() => cleanUpStorage(app));
      running = cleanup.catch(() => undefined);
      return ok(await cleanup, 'Cleaned up');
    },
  );
};

export default systemStorageRoutes;
