import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { Type } from 'typebox';
import { IdParams, OriginalQuery, withErrorResponses } from '@iclood/api-types';
import { findUserMedia, type Media } from '@iclood/db';
import { resolveInsideLibrary } from '@iclood/storage';
import { ApiError } from '../../../errors.js';
import { attachmentDisposition, originalFileName } from '../../../services/library/item-names.js';
import { principalOf, type AppPlugin } from '../../../types.js';

/** Inclusive byte offsets, as in `Content-Range`. */
interface ByteRange {
  start: number;
  end: number;
}

/**
 * What to send for a `Range` header against a file of `size` bytes. Only one range is served: a
 * header asking for several (or one we cannot parse) is ignored and the whole file goes out with
 * 200, which RFC 9110 §14.2 allows; players scrubbing a video ask for one range at a time.
 */
function pickRange(header: string | undefined, size: number): ByteRange | 'whole' | 'unsatisfiable' {
  if (header === undefined) return 'whole';
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return 'whole';
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return 'whole';
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Number(last);
  if (end < start) return 'whole';
  return { start, end: Math.min(end, size - 1) };
}

/** `If-None-Match: "a", W/"b"` or `*`: weak comparison, as RFC 9110 §13.1.2 asks. */
/** A repeated header is read as its first copy. */
function single(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * `If-Range` holds an ETag (strong comparison) or the `Last-Modified` date; the range is served
 * only while the file is still the one the client saw.
 */
function ifRangeHolds(header: string | undefined, etag: string, lastModified: string): boolean {
  if (header === undefined) return true;
  const value = header.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  return value === lastModified;
}

const OriginalBody = Type.Unsafe<Buffer | Readable>({
  description: 'The original bytes, as uploaded',
  content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
});

/** Originals straight from the library, streamed; the path on disk never leaves the server. */
const mediaFilesRoutes: AppPlugin = async (app) => {
  async function openOriginal(media: Media): Promise<FileHandle> {
    try {
      const handle = await open(resolveInsideLibrary(app.config.libraryDir, media.rel_path), 'r');
      return handle;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'PATH_OUTSIDE_LIBRARY') {
        throw new ApiError('FILE_MISSING_ON_DISK', 'The original of this item is missing from the library');
      }
      throw error;
    }
  }

  app.get(
    '/:id/original',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['media'],
        summary: 'The original file, with byte ranges (one per request) and ETag revalidation',
        description:
          'Streams the bytes with the stored MIME type. `Range: bytes=a-b`, `a-` or `-n` → 206; a range ' +
          'past the end → 416; several ranges in one header → the whole file (200). `If-None-Match` → 304, ' +
          '`If-Range` that no longer matches → the whole file. `?download=1` names the original file.',
        params: IdParams,
        querystring: OriginalQuery,
        response: withErrorResponses({ 200: OriginalBody, 206: OriginalBody }),
      },
    },
    async (request, reply) => {
      const media = await findUserMedia(app.db, {
        userId: principalOf(request).user.id,
        id: request.params.id,
      });
      if (!media) throw new ApiError('NOT_FOUND', 'No such photo or video');
      const etag = `"${media.sha256}"`;
      const lastModified = media.uploaded_at.toUTCString();
      reply.header('etag', etag).header('last-modified', lastModified).header('cache-control', 'private');
      if (noneMatchHits(single(request.headers['if-none-match']), etag)) {
        return reply.code(304).send(Buffer.alloc(0));
      }

      const handle = await openOriginal(media);
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) {
          throw new ApiError('FILE_MISSING_ON_DISK', 'The original of this item is missing from the library');
        }
        const size = stats.size;
        const rangeHeader = ifRangeHolds(single(request.headers['if-range']), etag, lastModified)
          ? request.headers.range
          : undefined;
        const range = pickRange(rangeHeader, size);
        reply.header('accept-ranges', 'bytes');
        if (range === 'unsatisfiable') {
          reply.header('content-range', `bytes */${size}`);
          throw new ApiError('RANGE_NOT_SATISFIABLE', `The file has ${size} bytes`);
        }
        const { start, end } = range === 'whole' ? { start: 0, end: size - 1 } : range;
        if (range !== 'whole') reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
        const { download } = request.query;
        if (download === '1' || download === 'true')
          reply.header('content-disposition', attachmentDisposition(originalFileName(media)));
        reply.header('content-length', end - start + 1).type(media.mime);
        if (request.method === 'HEAD' || size === 0) {
          await handle.close();
          // An empty stream: Fastify's HEAD handling keeps our Content-Length for streams and would
          // read a real one to its end.
          return reply.send(Readable.from([]));
        }
        // The handle is closed by the stream when it ends or is destroyed (client gone).
        return reply.send(handle.createReadStream({ start, end, autoClose: true }));
      } catch (error) {
        await handle.close();
        throw error;
      }
    },
  );
};

export default mediaFilesRoutes;
