import {
  SuccessEnvelope,
  TUS_CHECKSUM_ALGORITHMS,
  TUS_EXTENSIONS,
  TUS_VERSION,
  TusCreateHeaders,
  TusHeaders,
  TusNoContent,
  TusPatchHeaders,
  UploadCreatedResult,
  UploadDuplicateResult,
  UploadIdParams,
  withErrorResponses,
  type UploadFields,
} from '@iclood/api-types';
import type { IncomingMessage } from 'node:http';
import type { FastifyReply } from 'fastify';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { declaredBytes, type IngestReply } from '../../../services/ingest/ingest.js';
import {
  UploadOffsetError,
  type AppendResult,
  type PartChecksum,
} from '../../../services/ingest/resumable.js';
import { principalOf, type AppPlugin, type Principal } from '../../../types.js';
import {
  DRAFT_PARTIAL_CONTENT_TYPE,
  draftCompletes,
  draftInteropVersion,
  draftStateHeaders,
  type DraftInteropVersion,
} from './draft-bodies.js';

const PARTIAL_CONTENT_TYPE = 'application/offset+octet-stream';
/** Metadata keys taken as they are; `filename` (or `name`) and `albums` are read specially, others ignored. */
const PLAIN_KEYS = new Set(['createdAt', 'modifiedAt', 'localId', 'originalPath', 'sessionId', 'sha256']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** `Upload-Checksum: <algorithm> <base64>`, when the part carries one. */
function partChecksum(header: string | string[] | undefined): PartChecksum | undefined {
  if (header === undefined) return undefined;
  const [algorithm, digest = '', ...rest] = String(header).trim().split(' ');
  if (!TUS_CHECKSUM_ALGORITHMS.includes(algorithm as PartChecksum['algorithm'])) {
    throw new ApiError('VALIDATION_FAILED', `Upload-Checksum: use ${TUS_CHECKSUM_ALGORITHMS.join(' or ')}`, [
      { field: 'headers/upload-checksum', message: 'unsupported algorithm' },
    ]);
  }
  if (rest.length > 0 || digest === '' || !BASE64.test(digest)) {
    throw new ApiError('VALIDATION_FAILED', 'Upload-Checksum: `algorithm base64digest`', [
      { field: 'headers/upload-checksum', message: 'malformed' },
    ]);
  }
  return { algorithm: algorithm as PartChecksum['algorithm'], digest: Buffer.from(digest, 'base64') };
}

function malformedMetadata(message: string): ApiError {
  return new ApiError('VALIDATION_FAILED', `Upload-Metadata: ${message}`, [
    { field: 'headers/upload-metadata', message },
  ]);
}

/** `key base64,key base64`: tus's Upload-Metadata, read into the upload's fields. */
function parseUploadMetadata(header: string | undefined): UploadFields {
  const fields: Record<string, unknown> = {};
  if (header === undefined || header.trim() === '') return fields;
  const seen = new Set<string>();
  for (const pair of header.split(',')) {
    const [key, value = '', ...rest] = pair.trim().split(' ');
    if (!key || rest.length > 0 || !BASE64.test(value))
      throw malformedMetadata('each pair is `key base64value`');
    if (seen.has(key)) throw malformedMetadata(`the key "${key}" is given twice`);
    seen.add(key);
    const text = Buffer.from(value, 'base64').toString('utf8');
    if (key === 'filename' || key === 'name') fields['filename'] = text;
    else if (key === 'albums') fields['albums'] = albumNames(text);
    else if (PLAIN_KEYS.has(key)) fields[key] = text;
  }
  return fields;
}

/** `albums`: a JSON array of names, or a single name. */
function albumNames(text: string): unknown {
  if (!text.startsWith('[')) return [text];
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw malformedMetadata('albums is not a JSON array');
  }
}

function tusHeaders(
  reply: FastifyReply,
  state: { offset?: number; length?: number; expiresAt?: Date },
): void {
  if (state.offset !== undefined) reply.header('upload-offset', String(state.offset));
  if (state.length !== undefined) reply.header('upload-length', String(state.length));
  if (state.expiresAt !== undefined) reply.header('upload-expires', state.expiresAt.toUTCString());
}

/** An answer of headers only (tus: 201 of a creation, 204 of a part, 200 of HEAD). */
function noBody(reply: FastifyReply, statusCode: number) {
  return reply.code(statusCode).send();
}

function sendFinished(reply: FastifyReply, answer: IngestReply) {
  return reply.code(answer.statusCode).send(ok(answer.body, answer.message));
}

const UPLOAD_RESPONSES = {
  200: SuccessEnvelope(UploadDuplicateResult),
  201: SuccessEnvelope(UploadCreatedResult),
  204: TusNoContent,
};

/**
 * `/uploads`: resumable uploads, tus 1.0 (core, creation, creation-with-upload, termination, checksum,
 * expiration). Each upload belongs to the user and device that created it; its parts are
 * fsynced before their offset is acknowledged; the part that completes it answers like
 * `POST /media/upload` (201 created, 200 duplicate).
 */
const resumableUploadRoutes: AppPlugin = async (app) => {
  // Bodies are streamed by the handlers, never parsed or buffered by Fastify.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const uploads = app.resumableUploads;

  app.addHook('onSend', async (_request, reply) => {
    reply.header('tus-resumable', TUS_VERSION);
    reply.header('cache-control', 'no-store');
  });
  app.addHook('preHandler', async (request, reply) => {
    if (request.method === 'OPTIONS' || request.headers['tus-resumable'] === TUS_VERSION) return;
    // The IETF draft's requests to an upload's URL (HEAD, PATCH, DELETE) carry their interop version.
    if (request.method !== 'POST' && draftInteropVersion(request.headers) !== undefined) return;
    reply.header('tus-version', TUS_VERSION);
    throw new ApiError('UPLOAD_PROTOCOL_UNSUPPORTED', `Send Tus-Resumable: ${TUS_VERSION}`);
  });
  // A refusal that knows the offset says it, so the client resumes from there.
  app.addHook('onError', async (_request, reply, error) => {
    if (error instanceof UploadOffsetError && error.offset >= 0) tusHeaders(reply, { offset: error.offset });
  });

  /** Appends the request's body and answers: 204 with the new offset, or the ingest's answer at the end. */
  const appendAndAnswer = async (
    reply: FastifyReply,
    append: () => Promise<AppendResult>,
    incomplete: number,
    raw: { complete: boolean },
  ) => {
    try {
      const result = await append();
      tusHeaders(reply, result);
      if (result.finished) return sendFinished(reply, result.finished);
      return noBody(reply, incomplete);
    } catch (error) {
      // Refused mid-body: the rest is not read, so this connection ends.
      if (!raw.complete) reply.header('connection', 'close');
      throw error;
    }
  };

  /** The IETF draft's PATCH: the next part, which may say it is the last (`Upload-Complete: ?1`). */
  const appendDraftPart = async (
    reply: FastifyReply,
    raw: IncomingMessage,
    principal: Principal,
    id: string,
    draft: DraftInteropVersion,
  ) => {
    const contentType = (raw.headers['content-type'] ?? '').toLowerCase();
    if (draft === 6 && contentType !== DRAFT_PARTIAL_CONTENT_TYPE) {
      reply.header('connection', 'close');
      throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `Send the part as ${DRAFT_PARTIAL_CONTENT_TYPE}`);
    }
    const completes = draftCompletes(draft, raw.headers);
    const offset = Number(raw.headers['upload-offset']);
    const declared = declaredBytes(raw.headers['content-length']);
    if (completes && declared !== undefined) {
      // The last part must end the file exactly where its length said.
      const upload = await uploads.find(principal, id);
      const end = offset + declared;
      if (offset === upload.received_bytes && end !== upload.upload_length) {
        reply.header('connection', 'close');
        const message = `The upload is ${upload.upload_length} bytes; this last part ends at ${end}`;
        if (end > upload.upload_length) throw new ApiError('UPLOAD_LENGTH_EXCEEDED', message);
        throw new ApiError('VALIDATION_FAILED', message, [
          { field: 'headers/upload-complete', message: 'the upload would end short of its length' },
        ]);
      }
    }
    try {
      const result = await uploads.append(principal, id, { offset, body: raw, declared });
      draftStateHeaders(reply, draft, { offset: result.offset, complete: result.finished !== undefined });
      if (result.finished) return sendFinished(reply, result.finished);
      return noBody(reply, 204);
    } catch (error) {
      if (!raw.complete) reply.header('connection', 'close');
      throw error;
    }
  };

  app.options(
    '/',
    {
      config: { access: 'public' },
      schema: {
        tags: ['uploads'],
        summary: 'What this tus server supports: version, extensions, largest upload',
        response: withErrorResponses({ 204: TusNoContent }),
      },
    },
    async (_request, reply) => {
      reply
        .header('tus-version', TUS_VERSION)
        .header('tus-extension', TUS_EXTENSIONS.join(','))
        .header('tus-checksum-algorithm', TUS_CHECKSUM_ALGORITHMS.join(','));
      if (app.config.maxUploadBytes !== undefined)
        reply.header('tus-max-size', String(app.config.maxUploadBytes));
      return noBody(reply, 204);
    },
  );

  app.post(
    '/',
    {
      config: { access: 'media.upload', upload: true },
      schema: {
        tags: ['uploads'],
        summary: 'Start a resumable upload (tus creation; with a first part if the body has one)',
        description:
          '`Upload-Length` is the file’s size; the space is checked at once (507 before any byte is sent). ' +
          '201 with `Location` (the upload’s URL, for HEAD, PATCH and DELETE) and `Upload-Expires`; with a body ' +
          '(`Content-Type: application/offset+octet-stream`) that body is the first part and `Upload-Offset` ' +
          'says how far it went. A `sha256` in the metadata that is already backed up answers 200 `duplicate` ' +
          'at once, and no upload is created.',
        headers: TusCreateHeaders,
        response: withErrorResponses(UPLOAD_RESPONSES),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const length = Number(request.headers['upload-length']);
      if (length === 0) throw new ApiError('EMPTY_FILE', 'An upload needs at least one byte');
      const fields = parseUploadMetadata(request.headers['upload-metadata']);
      const withBody = (request.headers['content-type'] ?? '').toLowerCase() === PARTIAL_CONTENT_TYPE;
      const created = await uploads.create(principal, { length, fields });
      if ('duplicate' in created) {
        if (withBody && !request.raw.complete) reply.header('connection', 'close');
        return sendFinished(reply, created.duplicate);
      }
      const { upload } = created;
      reply.header('location', `/api/v1/uploads/${upload.id}`);
      tusHeaders(reply, { expiresAt: upload.expires_at });
      if (!withBody) return noBody(reply, 201);
      return appendAndAnswer(
        reply,
        () =>
          uploads.append(principal, upload.id, {
            offset: 0,
            body: request.raw,
            declared: declaredBytes(request.headers['content-length']),
          }),
        201,
        request.raw,
      );
    },
  );

  app.head(
    '/:id',
    {
      // Listed in the API document: swagger leaves HEAD routes out unless asked.
      config: { access: 'media.upload', swagger: { exposeHeadRoute: true } },
      schema: {
        tags: ['uploads'],
        summary: 'Where a resumable upload stands: `Upload-Offset` of `Upload-Length`',
        description:
          'While a PATCH is still writing the upload (a connection that just dropped, being wound up), ' +
          'waits up to 5 s for it to settle, so the offset includes what that part delivered.',
        headers: TusHeaders,
        params: UploadIdParams,
        response: withErrorResponses({ 200: TusNoContent }),
      },
    },
    async (request, reply) => {
      // Asked just after a cut, while the cut part is still being wound up: its offset, once recorded.
      const upload = await uploads.findSettled(principalOf(request), request.params.id);
      const draft = draftInteropVersion(request.headers);
      if (draft !== undefined && request.headers['tus-resumable'] === undefined) {
        // An upload still listed is never complete: the part that completes one removes it.
        draftStateHeaders(reply, draft, { offset: upload.received_bytes, complete: false });
        return noBody(reply, 204);
      }
      tusHeaders(reply, {
        offset: upload.received_bytes,
        length: upload.upload_length,
        expiresAt: upload.expires_at,
      });
      return noBody(reply, 200);
    },
  );

  app.patch(
    '/:id',
    {
      config: { access: 'media.upload', upload: true },
      schema: {
        tags: ['uploads'],
        summary: 'Send the next part of a resumable upload, at `Upload-Offset`',
        description:
          'The body (`application/offset+octet-stream`) is appended at `Upload-Offset`, which must be where the ' +
          'upload stands (409 `UPLOAD_OFFSET_MISMATCH` with the right `Upload-Offset` otherwise; 409 ' +
          '`UPLOAD_IN_PROGRESS` while another request writes it). 204 with the new `Upload-Offset`, on disk ' +
          'before the answer; the part that completes the file answers 201 `created` or 200 `duplicate`. Bytes ' +
          'received before a connection is cut are kept: HEAD tells where to resume. With `Upload-Checksum` ' +
          '(`sha1` or `sha256`, base64) the part is checked first: 460 `UPLOAD_CHECKSUM_MISMATCH` keeps none of it.',
        headers: TusPatchHeaders,
        params: UploadIdParams,
        response: withErrorResponses(UPLOAD_RESPONSES),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const draft = draftInteropVersion(request.headers);
      if (draft !== undefined && request.headers['tus-resumable'] === undefined) {
        return appendDraftPart(reply, request.raw, principal, request.params.id, draft);
      }
      if ((request.headers['content-type'] ?? '').toLowerCase() !== PARTIAL_CONTENT_TYPE) {
        reply.header('connection', 'close');
        throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `Send the part as ${PARTIAL_CONTENT_TYPE}`);
      }
      return appendAndAnswer(
        reply,
        () =>
          uploads.append(principal, request.params.id, {
            offset: Number(request.headers['upload-offset']),
            body: request.raw,
            declared: declaredBytes(request.headers['content-length']),
            checksum: partChecksum(request.headers['upload-checksum']),
          }),
        204,
        request.raw,
      );
    },
  );

  app.delete(
    '/:id',
    {
      config: { access: 'media.upload' },
      schema: {
        tags: ['uploads'],
        summary: 'Abandon a resumable upload (tus termination): its bytes are removed',
        description:
          'A PATCH still writing the upload is stopped first (it answers `UPLOAD_ABORTED`). If that ' +
          'part was the last one, the upload is already stored and this answers 404.',
        headers: TusHeaders,
        params: UploadIdParams,
        response: withErrorResponses({ 204: TusNoContent }),
      },
    },
    async (request, reply) => {
      await uploads.terminate(principalOf(request), request.params.id);
      return noBody(reply, 204);
    },
  );
};

export default resumableUploadRoutes;
