import type { IncomingMessage } from 'node:http';
import multipart, { type Multipart } from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import {
  SuccessEnvelope,
  UploadCreatedResult,
  UploadDuplicateResult,
  UploadFields,
  UploadRequestBody,
  withErrorResponses,
} from '@iclood/api-types';
import { discardTemp, type ReceivedUpload } from '@iclood/storage';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { wantsContinue } from '../../../plugins/app/expect-continue.js';
import {
  createIngest,
  declaredBytes,
  ingestDepsOf,
  type IngestOutcome,
  type IngestUpload,
} from '../../../services/ingest/ingest.js';
import { principalOf, type AppPlugin } from '../../../types.js';
import {
  draftCompletes,
  draftInteropVersion,
  draftStateHeaders,
  sendUploadResumptionSupported,
} from '../uploads/draft-bodies.js';

// A Shortcut that posts JSON or a form by mistake gets a clear 415, not a stored text file.
const NOT_A_FILE_BODY = /^(application\/json|application\/x-www-form-urlencoded|text\/)/i;
// Fields: the seven named ones plus up to 20 `albums` (MAX_UPLOAD_ALBUMS), with room to spare.
// The file's size is left to receiveToTemp (ICLOOD_MAX_UPLOAD_BYTES, the free disk), which stops at
// the limit; busboy's own limit (by default Fastify's 1 MiB JSON bodyLimit) would cut the file short
// and then read the rest of it for nothing.
const MULTIPART_LIMITS = {
  fields: 32,
  fieldSize: 64 * 1024,
  files: 1,
  parts: 33,
  headerPairs: 100,
  fileSize: Number.POSITIVE_INFINITY,
};

/** X-Filename may be percent-encoded (headers are ASCII); a stray `%` is kept as typed. */
function decodeHeaderValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * `POST /media/upload`: the one request per file that the app and Shortcuts make. The body is a
 * multipart form (fields, then the `file` part) or the raw bytes with `?filename=` / X-Filename.
 * Bytes stream to a temp file while hashed; the reply comes only once the file is fsynced in its
 * place and its row committed.
 */
const mediaUploadRoutes: AppPlugin = async (app) => {
  // Bodies here are streamed by the handler, never parsed or buffered by Fastify.
  app.removeAllContentTypeParsers();
  // preservePath: see the name exactly as sent, so a path is refused rather than quietly cut down.
  await app.register(multipart, { limits: MULTIPART_LIMITS, preservePath: true });
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  const ingest = createIngest(ingestDepsOf(app));

  app.post(
    '/upload',
    {
      config: { access: 'media.upload', deferContinue: true, upload: true },
      schema: {
        tags: ['media'],
        summary: 'Upload one photo or video: multipart (fields, then `file`) or the raw bytes',
        description:
          'Raw body: send the file as the body with `?filename=` or `X-Filename`, and the other fields as ' +
          'query parameters. `X-Content-SHA256` (or a `sha256` field before the file part) lets a known ' +
          'duplicate finish without sending the body (with `Expect: 100-continue`, without the body ever ' +
          'leaving the phone). 201 `created`, 200 `duplicate`. A raw upload carrying ' +
          '`Upload-Draft-Interop-Version` 3, 5 or 6 (the IETF resumable-uploads draft, as iOS URLSession sends it) ' +
          'is made resumable: a `104` gives its `Location` under `/uploads` before the body is read, where a cut-off ' +
          'upload resumes (HEAD for `Upload-Offset`, PATCH with the rest).',
        querystring: UploadFields,
        body: UploadRequestBody,
        response: withErrorResponses({
          200: SuccessEnvelope(UploadDuplicateResult),
          201: SuccessEnvelope(UploadCreatedResult),
        }),
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const contentType = request.headers['content-type'] ?? '';
      if (NOT_A_FILE_BODY.test(contentType)) {
        throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Send the photo or video itself, or a multipart form');
      }
      const headerName = request.headers['x-filename'];
      const headerSha = request.headers['x-content-sha256'];
      const fields: UploadFields = {
        ...request.query,
        ...(typeof headerName === 'string' ? { filename: decodeHeaderValue(headerName) } : {}),
        ...(typeof headerSha === 'string' ? { sha256: headerSha } : {}),
      };
      const draft = draftInteropVersion(request.headers);
      if (draft !== undefined && !request.isMultipart()) {
        // An iPhone app's plain upload, made resumable by URLSession (the IETF draft): the bytes go
        // to a resumable upload whose URL the 104 gives, and the whole file ends as a plain upload.
        const complete = draftCompletes(draft, request.headers);
        const lengthHeader = complete ? request.headers['content-length'] : request.headers['upload-length'];
        const length = declaredBytes(typeof lengthHeader === 'string' ? lengthHeader : undefined);
        if (length !== undefined && length > 0) {
          const uploads = app.resumableUploads;
          const created = await uploads.create(principal, { length, fields });
          if ('duplicate' in created) {
            if (!wantsContinue(request.raw)) reply.header('connection', 'close');
            return reply
              .code(created.duplicate.statusCode)
              .send(ok(created.duplicate.body, created.duplicate.message));
          }
          const location = `/api/v1/uploads/${created.upload.id}`;
          sendUploadResumptionSupported(reply.raw, draft, location);
          reply.header('location', location);
          if (wantsContinue(request.raw)) reply.raw.writeContinue();
          try {
            const result = await uploads.append(principal, created.upload.id, {
              offset: 0,
              body: request.raw,
              declared: declaredBytes(request.headers['content-length']),
            });
            draftStateHeaders(reply, draft, {
              offset: result.offset,
              complete: result.finished !== undefined,
            });
            if (result.finished) {
              return reply
                .code(result.finished.statusCode)
                .send(ok(result.finished.body, result.finished.message));
            }
            // A first part only: the rest comes by PATCH to the Location; the headers say so, no body.
            return (reply as FastifyReply).code(201).send();
          } catch (error) {
            if (!request.raw.complete) reply.header('connection', 'close');
            throw error;
          }
        }
      }
      const upload = ingest.begin(principal);

      const finish = async (outcome: IngestOutcome) => {
        const answer = await upload.finish(outcome);
        return reply.code(answer.statusCode).send(ok(answer.body, answer.message));
      };

      try {
        if (request.isMultipart()) {
          return await finish(await fromMultipart(upload, request.parts(), fields, request.raw));
        }
        await upload.validate(fields);
        const known = await upload.knownDuplicate(fields.sha256);
        if (known) {
          // Never read: tell the client not to send it, and end this connection after the answer.
          if (!wantsContinue(request.raw)) reply.header('connection', 'close');
          return await finish({ status: 'duplicate', media: known });
        }
        if (!fields.filename) {
          throw new ApiError('VALIDATION_FAILED', 'Name the file: ?filename= or X-Filename', [
            { field: 'querystring/filename', message: 'is required for a raw upload' },
          ]);
        }
        // A raw body's Content-Length is the file's size: one over the maximum is refused unread.
        const declared = declaredBytes(request.headers['content-length']);
        upload.assertAllowedSize(declared);
        await upload.assertRoomFor(declared);
        if (wantsContinue(request.raw)) reply.raw.writeContinue();
        return await finish(await upload.commit(await upload.receive(request.raw, declared), fields));
      } catch (error) {
        await upload.countFailure();
        // Refused mid-body (disk full, cut off…): the rest is not read, so this connection ends.
        if (!request.raw.complete) reply.header('connection', 'close');
        throw error;
      }
    },
  );
};

/** The multipart form: fields, then the `file` part, handed to the ingest pipeline as they come. */
async function fromMultipart(
  upload: IngestUpload,
  parts: AsyncIterableIterator<Multipart>,
  fields: UploadFields,
  raw: IncomingMessage,
): Promise<IngestOutcome> {
  const collected: Record<string, unknown> = { ...fields };
  let received: { upload: ReceivedUpload; fileName: string } | undefined;
  // The request's Content-Length bounds the file's size (the form adds a little around it).
  const declared = declaredBytes(raw.headers['content-length']);
  try {
    for await (const part of parts) {
      if (part.type === 'field') {
        if (part.valueTruncated)
          throw new ApiError('PAYLOAD_TOO_LARGE', `The field "${part.fieldname}" is too long`);
        const value = String(part.value);
        if (part.fieldname === 'albums') {
          collected['albums'] = [...((collected['albums'] as string[] | undefined) ?? []), value];
        } else {
          collected[part.fieldname] = value;
        }
        continue;
      }
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw new ApiError(
          'VALIDATION_FAILED',
          `The file part must be named "file" (got "${part.fieldname}")`,
        );
      }
      const fileName = (collected['filename'] as string | undefined) ?? part.filename;
      if (!fileName) throw new ApiError('VALIDATION_FAILED', 'The file part has no file name');
      await upload.validate({ ...(collected as UploadFields), filename: fileName });
      const known = await upload.knownDuplicate(collected['sha256'] as string | undefined);
      if (known) {
        part.file.resume(); // drain: the client sent it anyway
        return { status: 'duplicate', media: known };
      }
      await upload.assertRoomFor(declared);
      received = { upload: await upload.receive(part.file, declared), fileName };
    }
  } catch (error) {
    if (received) await discardTemp(received.upload.tempPath);
    throw translateMultipartError(error);
  }
  if (!received) throw new ApiError('FILE_MISSING', 'The form has no "file" part');
  const all = collected as UploadFields;
  await upload.validate({ ...all, filename: received.fileName }).catch(async (error: unknown) => {
    await discardTemp(received.upload.tempPath);
    throw error;
  });
  return upload.commit(received.upload, { ...all, filename: received.fileName });
}

const MULTIPART_ERRORS: Record<string, [ApiError['code'], string]> = {
  FST_FILES_LIMIT: ['TOO_MANY_FILES', 'Send one file per request'],
  FST_PARTS_LIMIT: ['PAYLOAD_TOO_LARGE', 'The form has too many parts'],
  FST_FIELDS_LIMIT: ['PAYLOAD_TOO_LARGE', 'The form has too many fields'],
  FST_PROTO_VIOLATION: ['MALFORMED_MULTIPART', 'The form has a forbidden field name'],
  FST_INVALID_JSON_FIELD_ERROR: ['MALFORMED_MULTIPART', 'A JSON field of the form is not valid JSON'],
  FST_MP_PREMATURE_CLOSE: ['UPLOAD_ABORTED', 'The upload was cut off before it finished'],
};

function translateMultipartError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  const known = MULTIPART_ERRORS[(error as { code?: string }).code ?? ''];
  if (known) return new ApiError(...known);
  const message = (error as Error).message ?? '';
  if (/Unexpected end of (form|multipart data)|Malformed|boundary/i.test(message)) {
    return new ApiError('MALFORMED_MULTIPART', 'The multipart form is malformed or cut off');
  }
  return error;
}

export default mediaUploadRoutes;
