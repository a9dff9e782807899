import {
  Album,
  AlbumList,
  AlbumListQuery,
  AlbumMediaRequest,
  AlbumMediaResult,
  CreateAlbumRequest,
  DeletedResult,
  IdParams,
  SuccessEnvelope,
  UpdateAlbumRequest,
  withErrorResponses,
  type Album as AlbumBody,
} from '@iclood/api-types';
import {
  addMediaToAlbum,
  createAlbum,
  deleteAlbum,
  findAlbum,
  listAlbums,
  removeMediaFromAlbum,
  updateAlbum,
  type AlbumSummaryRow,
  type Database,
  type Kysely,
} from '@iclood/db';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { cleanAlbumName } from '../../../services/library/item-names.js';
import { principalOf, type AppPlugin } from '../../../types.js';

function toAlbumBody(row: AlbumSummaryRow): AlbumBody {
  return {
    id: row.id,
    name: row.name,
    itemCount: row.item_count,
    coverMediaId: row.cover_id,
    chosenCoverMediaId: row.cover_media_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const notFound = () => new ApiError('NOT_FOUND', 'No such album');
const nameTaken = (name: string) =>
  new ApiError('ALBUM_NAME_TAKEN', `You already have an album called "${name}" (names ignore case)`);

async function albumBody(db: Kysely<Database>, userId: string, id: string): Promise<AlbumBody> {
  const album = await findAlbum(db, { userId, id });
  if (!album) throw notFound(); // deleted at this very instant
  return toAlbumBody(album);
}

/**
 * The caller's albums. Deleting an album keeps its items; ids of items that are not the caller's
 * are skipped when adding or removing, so nobody can put another's item in an album.
 */
const albumRoutes: AppPlugin = async (app) => {
  app.get(
    '/',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['albums'],
        summary: 'Your albums with their item counts and covers',
        querystring: AlbumListQuery,
        response: withErrorResponses({ 200: SuccessEnvelope(AlbumList) }),
      },
    },
    async (request) => {
      const albums = await listAlbums(app.db, {
        userId: principalOf(request).user.id,
        sort: request.query.sort ?? 'name',
      });
      return ok({ items: albums.map(toAlbumBody) });
    },
  );

  app.post(
    '/',
    {
      config: { access: 'media.write' },
      schema: {
        tags: ['albums'],
        summary: 'Create an album',
        body: CreateAlbumRequest,
        response: withErrorResponses({ 201: SuccessEnvelope(Album) }),
      },
    },
    async (request, reply) => {
      const userId = principalOf(request).user.id;
      const name = cleanAlbumName(request.body.name);
      const result = await createAlbum(app.db, { userId, name, at: app.now() });
      if (result.status === 'name-taken') throw nameTaken(name);
      return reply.code(201).send(ok(await albumBody(app.db, userId, result.album.id), 'Album created'));
    },
  );

  app.get(
    '/:id',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['albums'],
        summary: 'One album; its items are `GET /media/list?album=<id>`',
        params: IdParams,
        response: withErrorResponses({ 200: SuccessEnvelope(Album) }),
      },
    },
    async (request) => ok(await albumBody(app.db, principalOf(request).user.id, request.params.id)),
  );

  app.patch(
    '/:id',
    {
      config: { access: 'media.write' },
      schema: {
        tags: ['albums'],
        summary: 'Rename an album or choose its cover',
        params: IdParams,
        body: UpdateAlbumRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(Album) }),
      },
    },
    async (request) => {
      const userId = principalOf(request).user.id;
      const { name, coverMediaId } = request.body;
      const cleanName = name === undefined ? undefined : cleanAlbumName(name);
      const result = await updateAlbum(app.db, {
        userId,
        id: request.params.id,
        changes: {
          ...(cleanName === undefined ? {} : { name: cleanName }),
          ...(coverMediaId === undefined ? {} : { coverMediaId }),
        },
        at: app.now(),
      });
      if (result.status === 'not-found') throw notFound();
      if (result.status === 'name-taken') throw nameTaken(cleanName ?? '');
      if (result.status === 'cover-not-in-album') {
        throw new ApiError('ALBUM_COVER_NOT_IN_ALBUM', 'The cover must be an item in the album');
      }
      return ok(await albumBody(app.db, userId, request.params.id), 'Saved');
    },
  );

  app.delete(
    '/:id',
    {
      config: { access: 'media.write' },
      schema: {
        tags: ['albums'],
        summary: 'Delete an album; its items stay in the library',
        params: IdParams,
        response: withErrorResponses({ 200: SuccessEnvelope(DeletedResult) }),
      },
    },
    async (request) => {
      const deleted = await deleteAlbum(app.db, {
        userId: principalOf(request).user.id,
        id: request.params.id,
      });
      if (!deleted) throw notFound();
      return ok({ deleted: true, id: request.params.id }, 'Album deleted');
    },
  );

  /** Adding and taking out answer alike: the ids changed and the album's new item count. */
  const changeAlbumMedia = async (
    change: typeof addMediaToAlbum,
    userId: string,
    albumId: string,
    mediaIds: string[],
    message: string,
  ) => {
    const ids = await change(app.db, { userId, albumId, mediaIds, at: app.now() });
    if (ids === undefined) throw notFound();
    const album = await albumBody(app.db, userId, albumId);
    return ok({ count: ids.length, ids, itemCount: album.itemCount }, message);
  };

  app.post(
    '/:id/media',
    {
      config: { access: 'media.write' },
      schema: {
        tags: ['albums'],
        summary: 'Add items to an album',
        description: 'Ids that are not yours, and items already in the album, are skipped.',
        params: IdParams,
        body: AlbumMediaRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(AlbumMediaResult) }),
      },
    },
    async (request) =>
      changeAlbumMedia(
        addMediaToAlbum,
        principalOf(request).user.id,
        request.params.id,
        request.body.ids,
        'Added',
      ),
  );

  app.delete(
    '/:id/media',
    {
      config: { access: 'media.write' },
      schema: {
        tags: ['albums'],
        summary: 'Take items out of an album (they stay in the library)',
        description: 'Ids that are not in the album are skipped.',
        params: IdParams,
        body: AlbumMediaRequest,
        response: withErrorResponses({ 200: SuccessEnvelope(AlbumMediaResult) }),
      },
    },
    async (request) =>
      changeAlbumMedia(
        removeMediaFromAlbum,
        principalOf(request).user.id,
        request.params.id,
        request.body.ids,
        'Removed',
      ),
  );
};

export default albumRoutes;
