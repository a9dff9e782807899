import { SuccessEnvelope, SystemStatus, withErrorResponses } from '@iclood/api-types';
import { checkDatabaseHealth, countJobsByStatus } from '@iclood/db';
import { ok } from '../../envelope.js';
import { storageSummary } from '../../services/storage-report.js';
import { principalOf, type AppPlugin } from '../../types.js';

const systemRoutes: AppPlugin = async (app) => {
  app.get(
    '/system/status',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['system'],
        summary: 'Version, uptime, database kind and health, folders, LAN discovery and HTTPS',
        response: withErrorResponses({ 200: SuccessEnvelope(SystemStatus) }),
      },
    },
    async (request) => {
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
        dataDir: app.config.dataDir,
        libraryDir: app.config.libraryDir,
        storage: await storageSummary(app, principalOf(request)),
        jobs: await countJobsByStatus(app.db),
        mdns: app.mdns,
        tls: app.tls.enabled
          ? { enabled: true, port: app.tls.port ?? null, fingerprint: app.tls.fingerprint ?? null }
          : { enabled: false, port: null, fingerprint: null },
      });
    },
  );
};

export default systemRoutes;
