import type { IncomingMessage } from 'node:http';
import { relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import send from '@fastify/send';
import { Type } from 'typebox';
import { IdParams, OriginalQuery, withErrorResponses } from '@iclood/api-types';
import { findUserMedia, type Media } from '@iclood/db';
import { resolveInsideLibrary } from '@iclood/storage';
import { ApiError } from '../../../errors.js';
import { attachmentDisposition, originalFileName } from '../../../services/library/item-names.js';
import { principalOf, type AppPlugin } from '../../../types.js';

/**
 * The `Range` header to honour, for a file of `size` bytes: one well-formed byte range, written
 * as @fastify/send reads it. Several ranges, or one we cannot parse (`bytes=9-2`), are ignored and
 * the whole file goes out with 200, which RFC 9110 §14.2 allows; players scrubbing a video ask for
 * one range at a time.
 */
function singleByteRange(header: string | undefined, size: number): string | undefined {
  const match = header === undefined ? null : /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first !== '' && last !== '' && Number(last) < Number(first)) return undefined;
  // A suffix longer than the file asks for all of it (RFC 9110 §14.1.2); send would answer 416.
  if (first === '' && size > 0 && Number(last) > size) return 'bytes=0-';
  return `bytes=${first}-${last}`;
}

/** A repeated header is read as its first copy. */
function single(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}

/** `If-None-Match: "a", W/"b"` or `*`: weak comparison, as RFC 9110 §13.1.2 asks. */
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

/** @fastify/send takes a URL path and decodes it: each segment of the file's path, encoded. */
function sendPath(libraryDir: string, absolutePath: string): string {
  return relative(libraryDir, absolutePath).split(sep).map(encodeURIComponent).join('/');
}

const missingOnDisk = () =>
  new ApiError('FILE_MISSING_ON_DISK', 'The original of this item is missing from the library');

const OriginalBody = Type.Unsafe<Buffer | Readable>({
  description: 'The original bytes, as uploaded',
  content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
});

/**
 * Originals straight from the library, streamed by @fastify/send (byte ranges, 416, HEAD). The
 * validators are ours: the ETag is the content's SHA-256 and Last-Modified the upload time, so
 * they survive a restore or a copy of the library, which the file's size and mtime would not;
 * `If-None-Match` and `If-Range` are therefore judged here, before send sees the request. The
 * path on disk never leaves the server.
 */
const mediaFilesRoutes: AppPlugin = async (app) => {
  function libraryPathOf(media: Media): string {
    try {
      return resolveInsideLibrary(app.config.libraryDir, media.rel_path);
    } catch (error) {
      if ((error as { code?: string }).code === 'PATH_OUTSIDE_LIBRARY') throw missingOnDisk();
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

      const range = ifRangeHolds(single(request.headers['if-range']), etag, lastModified)
        ? singleByteRange(request.headers.range, media.size)
        : undefined;
      // send reads only the method and the headers: it gets the range decided above and none of
      // the validators, which it would compare with its own (size and mtime).
      const asked = { method: request.method, headers: range === undefined ? {} : { range } };
      const { libraryDir } = app.config;
      const sent = await send(asked as IncomingMessage, sendPath(libraryDir, libraryPathOf(media)), {
        root: libraryDir,
        dotfiles: 'allow',
        index: false,
        acceptRanges: true,
        etag: false,
        lastModified: false,
        cacheControl: false,
        contentType: false,
      });
      if (sent.type === 'directory') throw missingOnDisk();
      if (sent.type === 'error') {
        if (sent.statusCode === 404) throw missingOnDisk();
        if (sent.statusCode === 416) {
          const contentRange = String(sent.headers['Content-Range']); // "bytes */<size>"
          reply.header('content-range', contentRange);
          throw new ApiError('RANGE_NOT_SATISFIABLE', `The file has ${contentRange.slice(8)} bytes`);
        }
        throw sent.metadata.error;
      }
      const { download } = request.query;
      if (download === '1' || download === 'true')
        reply.header('content-disposition', attachmentDisposition(originalFileName(media)));
      return reply.code(sent.statusCode).headers(sent.headers).type(media.mime).send(sent.stream);
    },
  );
};

export default mediaFilesRoutes;
