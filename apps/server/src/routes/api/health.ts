import { PingData, SuccessEnvelope, withErrorResponses } from '@iclood/api-types';
import { ok } from '../../envelope.js';
import type { AppPlugin } from '../../types.js';

/** `GET /ping`: is this an iClood server, which one. Mounted at `/` by app.ts and, by the loader of this folder, under `/api/v1`. */
const healthRoutes: AppPlugin = async (app) => {
  app.get(
    '/ping',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Reachability check: name, version and the server id',
        response: withErrorResponses({ 200: SuccessEnvelope(PingData) }),
      },
    },
    async () =>
      ok({ name: 'iClood' as const, version: app.identity.version, serverId: app.identity.serverId }, 'pong'),
  );
};

export default healthRoutes;
