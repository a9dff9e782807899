import {
  IdParams,
  MediaBatchResult,
  MediaDetail,
  MediaIdsRequest,
  MediaPatchRequest,
  SuccessEnvelope,
  TrashedMedia,
  withErrorResponses,
} from '@iclood/api-types';
import { findMediaDetail, findUserMedia, trashMedia, updateMedia } from '@iclood/db';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { cleanDisplayName } from '../../../services/library/item-names.js';
import { toMediaDetail, trashPurgeAt } from './media-bodies.js';
import { principalOf, type AppPlugin } from '../../../types.js';

const notFound = () => new ApiError('NOT_FOUND', 'No such photo or video');

/** Naming, favouriting and deleting (to the trash) one's own items. */
const mediaManageRoutes: AppPlugin = async (app) => {
  app.patch(
    '/:id',
    {
      config: { access: 'media.write' },
      schema: {
        tags: ['media'],
        summary: 'Rename (display name only; the file keeps its name) or favourite an item',
        params: IdParams,
        body: MediaPatchRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(MediaDetail) }),
      },
    },
    async (request) => {
      const userId = principalOf(request).user.id;
      const { name, favorite } = request.body;
      const updated = await updateMedia(app.db, {
        userId,
        id: request.params.id,
        changes: {
          ...(name === undefined ? {} : { displayName: name === null ? null : cleanDisplayName(name) }),
          ...(favorite === undefined ? {} : { favorite }),
        },
      });
      if (!updated) throw notFound();
      const detail = await findMediaDetail(app.db, { userId, id: updated.id });
      if (!detail) throw notFound(); // purged at this very instant
      return ok(toMediaDetail(detail), 'Saved');
    },
  );

  app.delete(
    '/:id',
    {
      config: { access: 'media.write' },
      schema: {
        tags: ['media'],
        summary: 'Move an item to the trash (restorable until it is purged)',
        description: 'Deleting an item already in the trash changes nothing and answers the same.',
        params: IdParams,
        response: withErrorResponses({ 200: SuccessEnvelope(TrashedMedia) }),
      },
    },
    async (request) => {
      const userId = principalOf(request).user.id;
      const media = await findUserMedia(app.db, { userId, id: request.params.id });
      if (!media) throw notFound();
      let trashedAt = media.trashed_at;
      if (trashedAt === null) {
        const now = app.now();
        await trashMedia(app.db, { userId, ids: [media.id], at: now });
        trashedAt = now;
      }
      return ok(
        {
          id: media.id,
          trashedAt: trashedAt.toISOString(),
          purgeAt: trashPurgeAt(trashedAt, app.config.trashDays).toISOString(),
        },
        'Moved to the trash',
      );
    },
  );

  app.post(
    '/batch/delete',
    {
      config: { access: 'media.write' },
      schema: {
        tags: ['media'],
        summary: 'Move many items to the trash at once',
        description:
          'Ids that are not yours, or already in the trash, are skipped; `count` and `ids` say what moved.',
        body: MediaIdsRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(MediaBatchResult) }),
      },
    },
    async (request) => {
      const ids = await trashMedia(app.db, {
        userId: principalOf(request).user.id,
        ids: request.body.ids,
        at: app.now(),
      });
      return ok({ count: ids.length, ids }, 'Moved to the trash');
    },
  );
};

export default mediaManageRoutes;
