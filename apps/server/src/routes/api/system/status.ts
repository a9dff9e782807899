import { RetryJobsResult, SuccessEnvelope, SystemStatus, withErrorResponses } from '@iclood/api-types';
import { checkDatabaseHealth, countJobsByStatus, retryFailedThumbnailJobs } from '@iclood/db';
import { ok } from '../../../envelope.js';
import { seesHousehold, storageSummary } from '../../../services/library/storage-report.js';
import { principalOf, type AppPlugin } from '../../../types.js';

const systemRoutes: AppPlugin = async (app) => {
  app.get(
    '/status',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['system'],
        summary: 'Version, uptime, database kind and health, folders, LAN discovery and HTTPS',
        description:
          "An admin (or the owner) sees the server's folders and the household's library size; anyone " +
          'else gets `dataDir` and `libraryDir` null and the size of their own library.',
        response: withErrorResponses({ 200: SuccessEnvelope(SystemStatus) }),
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const admin = seesHousehold(principal);
      const health = await checkDatabaseHealth(app.db);
      const { serverId, version, startedAt } = app.identity;
      return ok({
        name: 'iClood' as const,
        version,
        serverId,
        startedAt: startedAt.toISOString(),
        uptimeSeconds: Math.max(0, Math.round((Date.now() - startedAt.getTime()) / 1000)),
        nodeVersion: process.version,
        database: { kind: app.database.kind, healthy: health.healthy, latencyMs: health.latencyMs },
        // Where the server keeps things is the admins' business, not every member's.
        dataDir: admin ? app.config.dataDir : null,
        libraryDir: admin ? app.config.libraryDir : null,
        storage: await storageSummary(app, principal),
        jobs: await countJobsByStatus(app.db),
        mdns: app.mdns,
        tls: app.tls.enabled
          ? { enabled: true, port: app.tls.port ?? null, fingerprint: app.tls.fingerprint ?? null }
          : { enabled: false, port: null, fingerprint: null },
      });
    },
  );

  app.post(
    '/jobs/retry',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['system'],
        summary: 'Run failed thumbnail jobs again',
        description:
          'Every thumbnail job given up on starts afresh (its attempts reset) and its item goes back to ' +
          '"being made": useful once an original was replaced on disk or a decoder (ffmpeg) installed. ' +
          'An original that still cannot be read fails again.',
        response: withErrorResponses({ 200: SuccessEnvelope(RetryJobsResult) }),
      },
    },
    async (request) => {
      const requeued = await retryFailedThumbnailJobs(app.db, { now: app.now() });
      if (requeued > 0) app.jobs.wake();
      request.log.info({ requeued }, 'failed jobs requeued');
      return ok(
        { requeued },
        requeued === 1 ? '1 thumbnail will be made again' : `${requeued} thumbnails will be made again`,
      );
    },
  );
};

export default systemRoutes;
