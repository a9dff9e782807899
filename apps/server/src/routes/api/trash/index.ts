import {
  MediaBatchResult,
  MediaIdsRequest,
  PageQuery,
  PurgeResult,
  SuccessEnvelope,
  TrashList,
  withErrorResponses,
} from '@iclood/api-types';
import { listTrash, restoreMedia } from '@iclood/db';
import { ok } from '../../../envelope.js';
import { decodeCursor, encodeCursor } from '../../../services/library/cursor.js';
import { toTrashItem } from '../media/media-bodies.js';
import { purgeTrash } from '../../../services/library/trash.js';
import { principalOf, type AppPlugin } from '../../../types.js';

/**
 * The caller's trash: list it, restore from it, delete from it for good. Items stay here
 * ICLOOD_TRASH_DAYS before the periodic purge removes them.
 */
const trashRoutes: AppPlugin = async (app) => {
  app.get(
    '/',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['media'],
        summary: 'The items in the trash, most recently deleted first; pass `nextCursor` back as `cursor`',
        querystring: PageQuery,
        response: withErrorResponses({ 200: SuccessEnvelope(TrashList) }),
      },
    },
    async (request) => {
      const cursor = request.query.cursor ? decodeCursor(request.query.cursor) : undefined;
      const page = await listTrash(app.db, {
        userId: principalOf(request).user.id,
        limit: request.query.limit ?? 100,
        ...(cursor ? { after: { trashedAt: cursor.at, id: cursor.id } } : {}),
      });
      const next = page.nextCursor;
      return ok({
        items: page.items.map((row) => toTrashItem(row, app.config.trashDays)),
        nextCursor: next ? encodeCursor({ at: next.trashedAt, id: next.id }) : null,
      });
    },
  );

  app.post(
    '/restore',
    {
      config: { access: 'media.write' },
      schema: {
        tags: ['media'],
        summary: 'Take items out of the trash, back into the library',
        description:
          'Ids that are not yours or not in the trash are skipped; `count` and `ids` say what came back.',
        body: MediaIdsRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(MediaBatchResult) }),
      },
    },
    async (request) => {
      const ids = await restoreMedia(app.db, { userId: principalOf(request).user.id, ids: request.body.ids });
      return ok({ count: ids.length, ids }, 'Restored');
    },
  );

  app.post(
    '/delete',
    {
      config: { access: 'media.write' },
      schema: {
        tags: ['media'],
        summary: 'Delete some items in the trash for good: originals, thumbnails and records',
        description:
          'Only items in your trash are deleted; other ids (not yours, or not in the trash) are skipped. ' +
          'Answers how many items went and the bytes freed.',
        body: MediaIdsRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(PurgeResult) }),
      },
    },
    async (request) =>
      ok(await purgeTrash(app, { userId: principalOf(request).user.id, ids: request.body.ids }), 'Deleted'),
  );

  app.delete(
    '/',
    {
      config: { access: 'media.write' },
      schema: {
        tags: ['media'],
        summary: 'Empty the trash: everything in it is deleted for good',
        response: withErrorResponses({ 200: SuccessEnvelope(PurgeResult) }),
      },
    },
    async (request) => ok(await purgeTrash(app, { userId: principalOf(request).user.id }), 'Trash emptied'),
  );
};

export default trashRoutes;
