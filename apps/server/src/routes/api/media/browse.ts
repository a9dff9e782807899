import {
  IdParams,
  MediaDetail,
  MediaList,
  MediaListQuery,
  MediaSummary,
  MediaSummaryQuery,
  MediaTimeline,
  SuccessEnvelope,
  withErrorResponses,
} from '@iclood/api-types';
import { findMediaDetail, listMedia, mediaTimeline, summarizeMedia, type MediaListFilters } from '@iclood/db';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { decodeCursor, encodeCursor } from '../../../services/library/cursor.js';
import { takenBound } from '../../../services/library/taken-range.js';
import { toMediaDetail, toMediaListItem } from './media-bodies.js';
import { principalOf, type AppPlugin } from '../../../types.js';

/** A list's or a summary's query string as the database filters take it. */
function mediaFilters(query: MediaSummaryQuery): MediaListFilters {
  return {
    ...(query.from ? { from: takenBound(query.from) } : {}),
    ...(query.to ? { to: takenBound(query.to) } : {}),
    ...(query.type ? { type: query.type } : {}),
    ...(query.favorite === undefined ? {} : { favorite: query.favorite }),
    ...(query.device ? { deviceId: query.device } : {}),
    ...(query.album ? { albumId: query.album } : {}),
    ...(query.q ? { q: query.q } : {}),
  };
}

/**
 * The library as a grid, its summary, a month scrubber and one item's details; the trash stays out
 * of all but the last.
 */
const mediaBrowseRoutes: AppPlugin = async (app) => {
  app.get(
    '/list',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['media'],
        summary: 'A page of photos and videos, newest first; pass `nextCursor` back as `cursor` for the next',
        querystring: MediaListQuery,
        response: withErrorResponses({ 200: SuccessEnvelope(MediaList) }),
      },
    },
    async (request) => {
      const { query } = request;
      const sort = query.sort ?? 'taken';
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const page = await listMedia(app.db, {
        userId: principalOf(request).user.id,
        limit: query.limit ?? 100,
        ...(after ? { after } : {}),
        filters: mediaFilters(query),
        sort,
      });
      return ok({
        items: page.items.map(toMediaListItem),
        nextCursor: page.nextCursor ? encodeCursor(page.nextCursor) : null,
      });
    },
  );

  app.get(
    '/summary',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['media'],
        summary: 'How many items and bytes match the list’s filters: what a restore of them would hold',
        description:
          'Takes the filters of `GET /media/list` (no paging or order) and counts exactly the items it ' +
          'would page through; for the same `from`/`to` or `album`, those are the items ' +
          '`POST /media/batch/restore` puts in its archive. Items in the trash are left out; an album ' +
          'that is not yours matches nothing. `takenFrom`/`takenTo` are `null` when nothing matches.',
        querystring: MediaSummaryQuery,
        response: withErrorResponses({ 200: SuccessEnvelope(MediaSummary) }),
      },
    },
    async (request) => {
      const summary = await summarizeMedia(app.db, {
        userId: principalOf(request).user.id,
        filters: mediaFilters(request.query),
      });
      return ok({
        ...summary,
        takenFrom: summary.takenFrom?.toISOString() ?? null,
        takenTo: summary.takenTo?.toISOString() ?? null,
      });
    },
  );

  app.get(
    '/timeline',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['media'],
        summary: 'How many items per month taken (on the camera’s calendar), newest first',
        response: withErrorResponses({ 200: SuccessEnvelope(MediaTimeline) }),
      },
    },
    async (request) => ok({ months: await mediaTimeline(app.db, { userId: principalOf(request).user.id }) }),
  );

  app.get(
    '/:id',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['media'],
        summary: 'Everything known about one item: camera, place, device, albums, checksum',
        params: IdParams,
        response: withErrorResponses({ 200: SuccessEnvelope(MediaDetail) }),
      },
    },
    async (request) => {
      const detail = await findMediaDetail(app.db, {
        userId: principalOf(request).user.id,
        id: request.params.id,
      });
      if (!detail) throw new ApiError('NOT_FOUND', 'No such photo or video');
      return ok(toMediaDetail(detail));
    },
  );
};

export default mediaBrowseRoutes;
