import { CheckRequest, CheckResult, SuccessEnvelope, withErrorResponses } from '@iclood/api-types';
import { checkMedia } from '@iclood/db';
import { ok } from '../../../envelope.js';
import { principalOf, type AppPlugin } from '../../../types.js';

/** `POST /media/check`: which of up to 10,000 items the server already has, in one query. */
const mediaCheckRoutes: AppPlugin = async (app) => {
  app.post(
    '/check',
    {
      config: { access: 'media.upload' },
      // 10,000 items with hashes and names fit well within 4 MiB.
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        tags: ['media'],
        summary: 'What is new: by sha256, by Photos local id, or by name + size + date (Shortcuts)',
        body: CheckRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(CheckResult) }),
      },
    },
    async (request) => {
      const results = await checkMedia(app.db, {
        userId: principalOf(request).user.id,
        items: request.body.items.map((item) => ({
          key: item.key,
          sha256: item.sha256?.toLowerCase(),
          localId: item.localId,
          name: item.name,
          size: item.size,
          createdAt: item.createdAt ? new Date(item.createdAt) : undefined,
        })),
      });
      return ok({ results });
    },
  );
};

export default mediaCheckRoutes;
