import {
  DeletedResult,
  IdParams,
  IgnoredList,
  IgnoreRequest,
  PageQuery,
  SuccessEnvelope,
  withErrorResponses,
  type IgnoredFile as IgnoredFileBody,
} from '@iclood/api-types';
import { addIgnoredFiles, deleteIgnoredFile, listIgnoredFiles, type IgnoredFile } from '@iclood/db';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { decodeCursor, encodeCursor } from '../../../services/library/cursor.js';
import { principalOf, type AppPlugin } from '../../../types.js';

function toIgnoredBody(row: IgnoredFile): IgnoredFileBody {
  return {
    id: row.id,
    name: row.name,
    originalPath: row.original_path,
    sha256: row.sha256,
    localId: row.local_id,
    createdAt: row.created_at.toISOString(),
  };
}

/** Items a person chose never to back up; `media/check` answers `ignored` for them. */
const mediaIgnoreRoutes: AppPlugin = async (app) => {
  app.post(
    '/ignore',
    {
      config: { access: 'media.upload' },
      bodyLimit: 4 * 1024 * 1024,
      schema: {
        tags: ['media'],
        summary: 'Never back these up',
        body: IgnoreRequest,
        response: withErrorResponses({ 201: SuccessEnvelope(IgnoredList) }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const rows = await addIgnoredFiles(app.db, {
        userId: principal.user.id,
        deviceId: principal.kind === 'device' ? principal.tokenRowId : null,
        items: request.body.items.map((item) => ({ ...item, sha256: item.sha256?.toLowerCase() })),
      });
      return reply.code(201).send(ok({ items: rows.map(toIgnoredBody), nextCursor: null }, 'Ignored'));
    },
  );

  app.get(
    '/ignored',
    {
      config: { access: 'media.upload' },
      schema: {
        tags: ['media'],
        summary: 'The ignored items, newest first',
        querystring: PageQuery,
        response: withErrorResponses({ 200: SuccessEnvelope(IgnoredList) }),
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 100;
      const cursor = request.query.cursor ? decodeCursor(request.query.cursor) : undefined;
      const page = await listIgnoredFiles(app.db, {
        userId: principalOf(request).user.id,
        limit,
        ...(cursor ? { cursor: { createdAt: cursor.at, id: cursor.id } } : {}),
      });
      const next = page.nextCursor;
      return ok({
        items: page.items.map(toIgnoredBody),
        nextCursor: next ? encodeCursor({ at: next.createdAt, id: next.id }) : null,
      });
    },
  );

  app.delete(
    '/ignored/:id',
    {
      config: { access: 'media.upload' },
      schema: {
        tags: ['media'],
        summary: 'Stop ignoring an item',
        params: IdParams,
        response: withErrorResponses({ 200: SuccessEnvelope(DeletedResult) }),
      },
    },
    async (request) => {
      const deleted = await deleteIgnoredFile(app.db, {
        id: request.params.id,
        userId: principalOf(request).user.id,
      });
      if (!deleted) throw new ApiError('NOT_FOUND', 'No such ignored item');
      return ok({ deleted: true, id: request.params.id });
    },
  );
};

export default mediaIgnoreRoutes;
