import {
  MEDIA_RESTORE_MAX_IDS,
  MediaRestoreArchive,
  MediaRestoreRequest,
  withErrorResponses,
} from '@iclood/api-types';
import { userHasAlbum, type RestoreSelection } from '@iclood/db';
import { ApiError } from '../../../errors.js';
import { attachmentDisposition } from '../../../services/library/item-names.js';
import { firstRestoreBatch, writeRestoreArchive } from '../../../services/library/restore-archive.js';
import { isBackwardsRange, takenBound } from '../../../services/library/taken-range.js';
import { principalOf, type AppPlugin } from '../../../types.js';

/** A form of 10,000 ids (`ids=<uuid>&` is 41 bytes each) fits with room to spare. */
const FORM_BODY_LIMIT = 1024 * 1024;

/**
 * An HTML form's body as the JSON body would be: `ids` repeated and/or comma-separated, other
 * fields once; empty fields (an unfilled date input) are dropped. A field sent twice stays a
 * list, which the schema then refuses.
 */
function parseRestoreForm(body: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  const ids: string[] = [];
  for (const [key, value] of new URLSearchParams(body)) {
    if (key === 'ids') {
      ids.push(
        ...value
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id !== ''),
      );
    } else if (value.trim() !== '') {
      const previous = fields[key];
      fields[key] = previous === undefined ? value.trim() : [previous, value.trim()].flat();
    }
  }
  if (ids.length > 0) fields['ids'] = ids;
  return fields;
}

function selectionOf(body: MediaRestoreRequest): RestoreSelection {
  const kinds = [
    body.ids !== undefined,
    body.from !== undefined || body.to !== undefined,
    body.album !== undefined,
  ];
  const chosen = kinds.filter(Boolean).length;
  if (chosen === 0) {
    throw new ApiError(
      'BAD_REQUEST',
      'Say what to restore: `ids`, a `from`/`to` range of dates taken, or an `album`',
    );
  }
  if (chosen > 1) {
    throw new ApiError(
      'BAD_REQUEST',
      'Restore either `ids`, or a `from`/`to` range, or an `album`: one at a time',
    );
  }
  if (body.ids) return { kind: 'ids', ids: body.ids };
  if (body.album) return { kind: 'album', albumId: body.album };
  const from = body.from === undefined ? undefined : takenBound(body.from);
  const to = body.to === undefined ? undefined : takenBound(body.to);
  if (from && to && isBackwardsRange(from, to)) {
    throw new ApiError('BAD_REQUEST', '`from` must be before `to`');
  }
  return { kind: 'taken', ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** `iclood-alice-2026-11-21-1000.zip`: whose, and when it was made. */
function archiveName(username: string, now: Date): string {
  const stamp = now.toISOString().slice(0, 16).replace('T', '-').replace(':', '');
  return `iclood-${username.replace(/[/\\]/g, '_')}-${stamp}.zip`;
}

/** Restore: the originals of a selection as one streamed ZIP. */
const mediaRestoreRoutes: AppPlugin = async (app) => {
  // Scoped to this plugin: the dashboard posts a plain HTML form so the browser saves the download.
  // JSON or that form only; anything else is a 415.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT },
    (_request, body, done) => done(null, parseRestoreForm(body as string)),
  );

  app.post(
    '/batch/restore',
    {
      config: { access: 'media.read' },
      schema: {
        tags: ['media'],
        summary: 'Download originals as one ZIP: chosen ids, a range of dates taken, or an album',
        description:
          'Streams `application/zip` as it is made (STORED, ZIP64 past 4 GiB, names made unique), oldest ' +
          `taken first; at most ${MEDIA_RESTORE_MAX_IDS} ids. Accepts JSON or an HTML form post ` +
          '(`application/x-www-form-urlencoded`, `ids` repeated or comma-separated) with the session ' +
          'cookie. Items in the trash and ids that are not yours are left out; a selection with nothing ' +
          'left is a 404 `NOTHING_TO_RESTORE` before any byte is sent. Originals missing from the disk ' +
          'are listed in `MISSING.txt` inside the archive.',
        consumes: ['application/json', 'application/x-www-form-urlencoded'],
        body: MediaRestoreRequest,
        response: withErrorResponses({ 200: MediaRestoreArchive }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const userId = principal.user.id;
      const selection = selectionOf(request.body);
      if (
        selection.kind === 'album' &&
        !(await userHasAlbum(app.db, { userId, albumId: selection.albumId }))
      ) {
        throw new ApiError('NOT_FOUND', 'No such album');
      }
      const first = await firstRestoreBatch(app, { userId, selection });
      if (first.items.length === 0) {
        throw new ApiError('NOTHING_TO_RESTORE', 'Nothing to restore: no photo or video of yours matches');
      }
      reply
        .header('content-type', 'application/zip')
        .header('content-disposition', attachmentDisposition(archiveName(principal.user.username, app.now())))
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff');
      // Written by hand, so read buffers are reused as soon as the socket has taken their bytes.
      reply.hijack();
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) reply.raw.setHeader(name, value);
      }
      reply.raw.writeHead(200);
      try {
        await writeRestoreArchive(app, reply.raw, { userId, selection, first });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') {
          request.log.info('restore archive: the client went away');
        } else {
          request.log.error({ err: error }, 'restore archive failed mid-stream');
        }
        reply.raw.destroy();
      }
    },
  );
};

export default mediaRestoreRoutes;
