import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { IdParams, ThumbnailQuery, withErrorResponses } from '@iclood/api-types';
import { findUserMedia, requestThumbnails } from '@iclood/db';
import { thumbnailPath } from '@iclood/storage';
import { ApiError } from '../../../errors.js';
import { principalOf, type AppPlugin } from '../../../types.js';

const ThumbnailBody = Type.Unsafe<Buffer | Readable>({
  description: 'The thumbnail, WebP',
  content: { 'image/webp': { schema: { type: 'string', format: 'binary' } } },
});

/** Seconds a client should wait before asking again for thumbnails still being made. */
const RETRY_AFTER_SECONDS = 5;

function noneMatchHits(header: string | string[] | undefined, etag: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return false;
  if (value.trim() === '*') return true;
  return value.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** Thumbnails made by the background jobs, streamed from the data folder. */
const mediaThumbnailRoutes: AppPlugin = async (app) => {
  /** The file, or undefined when it is missing or empty (deleted by hand, cut short by a crash). */
  async function openThumbnail(
    path: string,
  ): Promise<{ handle: FileHandle; size: number; ino: number; mtimeMs: number } | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const stats = await handle.stat();
      if (stats.isFile() && stats.size > 0) {
        return { handle, size: stats.size, ino: stats.ino, mtimeMs: stats.mtimeMs };
      }
    } catch (error) {
      await handle.close();
      throw error;
    }
    await handle.close();
    return undefined;
  }

  app.get(
    '/:id/thumbnail',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['media'],
        summary: 'A thumbnail of a photo or video (WebP), for the grid or full screen',
        description:
          'Thumbnails are made in the background after an upload. While they are being made the answer ' +
          'is 404 `THUMBNAIL_PENDING` with `Retry-After`; a file that could not be decoded gives 404 ' +
          '`THUMBNAIL_FAILED`, and a kind of file nothing here can render (a video when the server has ' +
          'no ffmpeg, a RAW format) 404 `THUMBNAIL_UNAVAILABLE`: show a placeholder. Items in the trash ' +
          'keep their thumbnails. Cached for a year, revalidated with `ETag` / `If-None-Match` (304).',
        params: IdParams,
        querystring: ThumbnailQuery,
        response: withErrorResponses({ 200: ThumbnailBody }),
      },
    },
    async (request, reply) => {
      const media = await findUserMedia(app.db, {
        userId: principalOf(request).user.id,
        id: request.params.id,
      });
      if (!media) throw new ApiError('NOT_FOUND', 'No such photo or video');
      // Error answers must not be cached: the thumbnail may exist a moment later.
      reply.header('cache-control', 'no-store');
      const pending = () => {
        reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return new ApiError('THUMBNAIL_PENDING', 'The thumbnails of this item are still being made');
      };
      if (media.thumbnail_status === 'pending') throw pending();
      if (media.thumbnail_status === 'failed') {
        throw new ApiError('THUMBNAIL_FAILED', 'No thumbnail could be made: the file could not be decoded');
      }
      if (media.thumbnail_status === 'unsupported') {
        throw new ApiError('THUMBNAIL_UNAVAILABLE', 'No thumbnail can be made of this kind of file here');
      }

      const size = request.query.size ?? 'small';
      const file = await openThumbnail(thumbnailPath(app.layout.thumbsDir, media.id, size));
      if (!file) {
        // Marked ready but gone from disk: make them again rather than fail for good.
        await requestThumbnails(app.db, { mediaId: media.id, now: app.now() });
        app.jobs.wake();
        throw pending();
      }
      const { handle } = file;
      // Regenerating renames a new file into place: another inode and mtime, so another tag.
      const etag = `"${size}-${[file.size, file.ino, Math.floor(file.mtimeMs)].map((n) => n.toString(36)).join('-')}"`;
      reply
        .header('etag', etag)
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff');
      if (noneMatchHits(request.headers['if-none-match'], etag)) {
        await handle.close();
        return reply.code(304).send(Buffer.alloc(0));
      }
      reply.type('image/webp').header('content-length', file.size);
      if (request.method === 'HEAD') {
        await handle.close();
        return reply.send(Readable.from([]));
      }
      return reply.send(handle.createReadStream({ autoClose: true }));
    },
  );
};

export default mediaThumbnailRoutes;
