import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import multipart, { type Multipart } from '@fastify/multipart';
import { Compile } from 'typebox/compile';
import {
  SuccessEnvelope,
  UploadCreatedResult,
  UploadDuplicateResult,
  UploadFields,
  UploadRequestBody,
  withErrorResponses,
  type ErrorDetail,
} from '@iclood/api-types';
import {
  addMediaToAlbumsByName,
  DbError,
  findBackupSession,
  findMediaBySha256,
  insertMedia,
  recordSessionUpload,
  type Media,
} from '@iclood/db';
import { extractMediaMetadata, sniffMediaType } from '@iclood/media';
import {
  assertFreeSpace,
  commitToLibrary,
  discardTemp,
  fileNameExtension,
  formatBytes,
  libraryRelativeDir,
  receiveToTemp,
  type ReceivedUpload,
} from '@iclood/storage';
import { ok } from '../../../envelope.js';
import { ApiError } from '../../../errors.js';
import { wantsContinue } from '../../../plugins/app/expect-continue.js';
import { cleanUploadAlbumNames } from '../../../services/library/item-names.js';
import { principalOf, type AppPlugin, type Principal } from '../../../types.js';

const checkFields = Compile(UploadFields);
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

type Outcome = { status: 'created' | 'duplicate'; media: Media };

/** How many names recorded by rows whose files are gone one upload steps past before giving up. */
const MAX_RECORDED_NAME_RETRIES = 50;

function fieldErrors(fields: unknown): ErrorDetail[] {
  return [...checkFields.Errors(fields)].map((error) => ({
    field: `fields${error.instancePath}`,
    message: error.message,
  }));
}

/** X-Filename may be percent-encoded (headers are ASCII); a stray `%` is kept as typed. */
function decodeHeaderValue(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `../x.jpg`, `/etc/x.jpg`, `C:\x.jpg`: a name that tries to be a path is refused, not cleaned. */
function assertPlainFileName(name: string): void {
  if (/[/\\\0]/.test(name) || name === '.' || name === '..') {
    throw new ApiError('INVALID_FILENAME', 'The file name must be a plain name, not a path');
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

  app.post(
    '/upload',
    {
      config: { access: 'media.upload', deferContinue: true },
      schema: {
        tags: ['media'],
        summary: 'Upload one photo or video: multipart (fields, then `file`) or the raw bytes',
        description:
          'Raw body: send the file as the body with `?filename=` or `X-Filename`, and the other fields as ' +
          'query parameters. `X-Content-SHA256` (or a `sha256` field before the file part) lets a known ' +
          'duplicate finish without sending the body (with `Expect: 100-continue`, without the body ever ' +
          'leaving the phone). 201 `created`, 200 `duplicate`.',
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
      const upload = new UploadContext(app, principal);

      const finish = async (outcome: Outcome) => {
        await upload.addToAlbums(outcome.media.id);
        await upload.countInSession(outcome.status, outcome.media.size);
        const body = {
          id: outcome.media.id,
          status: outcome.status,
          ...(outcome.media.trashed_at ? { trashed: true } : {}),
        };
        return reply
          .code(outcome.status === 'created' ? 201 : 200)
          .send(ok(body, outcome.status === 'created' ? 'Stored' : 'Already backed up'));
      };

      try {
        if (request.isMultipart()) {
          return await finish(await upload.fromMultipart(request.parts(), fields, request.raw));
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
        upload.assertAllowedSize(request.headers['content-length']);
        await upload.assertRoomFor(request.headers['content-length']);
        if (wantsContinue(request.raw)) reply.raw.writeContinue();
        return await finish(await upload.store(request.raw, fields, request.headers['content-length']));
      } catch (error) {
        await upload.countFailure();
        // Refused mid-body (disk full, cut off…): the rest is not read, so this connection ends.
        if (!request.raw.complete) reply.header('connection', 'close');
        throw error;
      }
    },
  );
};

/** Uploads up to this size (by Content-Length) are hashed on the event loop, larger ones on a worker. */
const HASH_INLINE_MAX_BYTES = 16 * 1024 * 1024;
/** Originals are readable by everyone who can reach the library folder: the disk is browsable. */
const LIBRARY_FILE_MODE = 0o644;

function declaredBytes(contentLength: string | undefined): number | undefined {
  return contentLength !== undefined && /^\d+$/.test(contentLength) ? Number(contentLength) : undefined;
}

/** One upload's state and steps, shared by the raw and multipart paths. */
class UploadContext {
  private sessionId: string | undefined;
  private readonly deviceId: string | null;
  /** The `albums` field, cleaned; the item goes into these once stored (or found a duplicate). */
  private albumNames: string[] = [];

  constructor(
    private readonly app: Parameters<AppPlugin>[0],
    private readonly principal: Principal,
  ) {
    this.deviceId = principal.kind === 'device' ? principal.tokenRowId : null;
  }

  async validate(fields: UploadFields): Promise<void> {
    const errors = fieldErrors(fields);
    if (errors.length > 0)
      throw new ApiError('VALIDATION_FAILED', `${errors[0]!.field} ${errors[0]!.message}`, errors);
    this.albumNames = cleanUploadAlbumNames(fields.albums);
    if (fields.filename !== undefined) assertPlainFileName(fields.filename);
    if (fields.sessionId !== undefined && fields.sessionId !== this.sessionId) {
      const session = this.deviceId
        ? await findBackupSession(this.app.db, {
            id: fields.sessionId,
            userId: this.principal.user.id,
            deviceId: this.deviceId,
          })
        : undefined;
      if (!session) throw new ApiError('NOT_FOUND', 'No such backup session for this device');
      this.sessionId = session.id;
    }
  }

  async knownDuplicate(sha256: string | undefined): Promise<Media | undefined> {
    if (!sha256) return undefined;
    return findMediaBySha256(this.app.db, { userId: this.principal.user.id, sha256: sha256.toLowerCase() });
  }

  /** A raw body's Content-Length is the file's size: one over the maximum is refused unread. */
  assertAllowedSize(contentLength: string | undefined): void {
    const max = this.app.config.maxUploadBytes;
    if (max !== undefined && (declaredBytes(contentLength) ?? 0) > max) {
      throw new ApiError('FILE_TOO_LARGE', `The file is larger than this server's ${formatBytes(max)} limit`);
    }
  }

  async assertRoomFor(contentLength: string | undefined): Promise<void> {
    await assertFreeSpace(this.app.config.libraryDir, {
      incomingBytes: declaredBytes(contentLength) ?? 0,
      minFreeBytes: this.app.config.minFreeBytes,
    });
  }

  async fromMultipart(
    parts: AsyncIterableIterator<Multipart>,
    fields: UploadFields,
    raw: IncomingMessage,
  ): Promise<Outcome> {
    const collected: Record<string, unknown> = { ...fields };
    let received: { upload: ReceivedUpload; fileName: string } | undefined;
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
        await this.validate({ ...(collected as UploadFields), filename: fileName });
        const known = await this.knownDuplicate(collected['sha256'] as string | undefined);
        if (known) {
          part.file.resume(); // drain: the client sent it anyway
          return { status: 'duplicate', media: known };
        }
        await this.assertRoomFor(raw.headers['content-length']);
        received = { upload: await this.receive(part.file, raw.headers['content-length']), fileName };
      }
    } catch (error) {
      if (received) await discardTemp(received.upload.tempPath);
      throw translateMultipartError(error);
    }
    if (!received) throw new ApiError('FILE_MISSING', 'The form has no "file" part');
    const all = collected as UploadFields;
    await this.validate({ ...all, filename: received.fileName }).catch(async (error: unknown) => {
      await discardTemp(received.upload.tempPath);
      throw error;
    });
    return this.commit(received.upload, { ...all, filename: received.fileName });
  }

  async store(body: Readable, fields: UploadFields, contentLength: string | undefined): Promise<Outcome> {
    return this.commit(await this.receive(body, contentLength), fields);
  }

  private async receive(body: Readable, contentLength: string | undefined): Promise<ReceivedUpload> {
    // Large files are hashed on a worker, which keeps the event loop free for the socket (bench/ingest,
    // 1 GiB on a 2-core machine: 403 → 512 MiB/s on PostgreSQL, 244 → 315 MiB/s on PGlite). A photo
    // is hashed inline: the worker's messages and its second pass over the bytes cost more CPU than
    // they free for a few MB, and CPU is what 4 uploads in flight on 2 cores run short of.
    const declared = declaredBytes(contentLength);
    try {
      return await receiveToTemp(body, {
        tmpDir: this.app.layout.libraryTmpDir,
        maxBytes: this.app.config.maxUploadBytes,
        hashOnWorker: declared === undefined || declared > HASH_INLINE_MAX_BYTES,
        // The last flush runs while the metadata is read and the commit prepared (commitToLibrary
        // waits for it before the link).
        durable: 'background',
        fileMode: LIBRARY_FILE_MODE,
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (
        code === 'ECONNRESET' ||
        code === 'ERR_STREAM_PREMATURE_CLOSE' ||
        (error as Error).message === 'aborted'
      ) {
        throw new ApiError('UPLOAD_ABORTED', 'The upload was cut off before it finished');
      }
      throw error;
    }
  }

  private async commit(upload: ReceivedUpload, fields: UploadFields): Promise<Outcome> {
    const { app, principal } = this;
    try {
      if (fields.sha256 && fields.sha256.toLowerCase() !== upload.sha256) {
        throw new ApiError(
          'CHECKSUM_MISMATCH',
          'The bytes received do not match X-Content-SHA256; send the file again',
        );
      }
      const type = sniffMediaType(upload.head, fields.filename);
      if (!type) {
        throw new ApiError(
          'UNSUPPORTED_MEDIA_TYPE',
          'This is not a photo or video iClood can keep (checked from its content)',
        );
      }
      // An iOS Shortcut names a photo without its extension ("IMG_0001"): the file gets the one of
      // its sniffed type, and so does the name it is shown and downloaded under. The row keeps the
      // name as sent, which is what the same Shortcut's media/check asks about next time.
      const sentName = fields.filename!;
      const fileName = fileNameExtension(sentName) === undefined ? `${sentName}.${type.extension}` : sentName;
      const existing = await findMediaBySha256(app.db, { userId: principal.user.id, sha256: upload.sha256 });
      if (existing) {
        await discardTemp(upload.tempPath);
        return { status: 'duplicate', media: existing };
      }
      const now = app.now();
      const metadata = await extractMediaMetadata(upload.tempPath, type, {
        clientCreatedAt: fields.createdAt ? new Date(fields.createdAt) : undefined,
        now,
      });
      const record = {
        userId: principal.user.id,
        deviceId: this.deviceId,
        sessionId: this.sessionId ?? null,
        originalName: sentName,
        displayName: fileName === sentName ? null : fileName,
        sha256: upload.sha256,
        size: upload.size,
        mediaType: type.mediaType,
        mime: type.mime,
        takenAt: metadata.takenAt,
        takenAtOffsetMinutes: metadata.takenAtOffsetMinutes,
        width: metadata.width,
        height: metadata.height,
        durationMs: metadata.durationMs,
        latitude: metadata.latitude,
        longitude: metadata.longitude,
        cameraMake: metadata.cameraMake,
        cameraModel: metadata.cameraModel,
        orientation: metadata.orientation,
        metadata: metadata.metadata,
        localId: fields.localId ?? null,
        originalPath: fields.originalPath ?? null,
        modifiedAt: fields.modifiedAt ? new Date(fields.modifiedAt) : null,
        uploadedAt: now,
      };
      // Names that a row records although their file is gone from the disk (removed by hand):
      // the file is placed again under the next free name rather than failing the upload.
      const recordedElsewhere = new Set<string>();
      const placing = {
        tempPath: upload.tempPath,
        libraryDir: app.config.libraryDir,
        relDir: libraryRelativeDir(principal.user.libraryFolder, metadata.takenAtLocal),
        fileName,
        ...(fields.modifiedAt ? { modifiedAt: new Date(fields.modifiedAt) } : {}),
        fileMode: LIBRARY_FILE_MODE,
        ...(upload.synced ? { synced: { ino: upload.ino, size: upload.size, flushed: upload.flushed } } : {}),
        skipRelPaths: recordedElsewhere,
      };
      for (;;) {
        const placement = await commitToLibrary(placing);
        let result: Awaited<ReturnType<typeof insertMedia>>;
        try {
          result = await insertMedia(app.db, { ...record, relPath: placement.relPath });
        } catch (error) {
          if (
            error instanceof DbError &&
            error.code === 'MEDIA_PATH_TAKEN' &&
            recordedElsewhere.size < MAX_RECORDED_NAME_RETRIES
          ) {
            await placement.rollback({ restoreTo: upload.tempPath });
            recordedElsewhere.add(placement.relPath);
            app.log.warn(
              { relPath: placement.relPath },
              'a media row records this path but its file is missing; placing the upload under another name',
            );
            continue;
          }
          await placement.rollback();
          throw error;
        }
        if (result.status === 'duplicate') {
          // Lost a race with the same bytes sent concurrently: keep the first, drop this copy.
          await placement.rollback();
          return result;
        }
        await placement.confirm();
        return result;
      }
    } catch (error) {
      await discardTemp(upload.tempPath);
      throw error;
    }
  }

  /** A duplicate joins the albums too: a phone re-sending an item in a new album expects it there. */
  async addToAlbums(mediaId: string): Promise<void> {
    if (this.albumNames.length === 0) return;
    await addMediaToAlbumsByName(this.app.db, {
      userId: this.principal.user.id,
      mediaId,
      names: this.albumNames,
      at: this.app.now(),
    });
  }

  async countInSession(status: 'created' | 'duplicate', bytes: number): Promise<void> {
    if (!this.sessionId || !this.deviceId) return;
    await recordSessionUpload(this.app.db, {
      sessionId: this.sessionId,
      userId: this.principal.user.id,
      deviceId: this.deviceId,
      outcome: status,
      bytes,
    });
  }

  async countFailure(): Promise<void> {
    if (!this.sessionId || !this.deviceId) return;
    await recordSessionUpload(this.app.db, {
      sessionId: this.sessionId,
      userId: this.principal.user.id,
      deviceId: this.deviceId,
      outcome: 'failed',
      bytes: 0,
    }).catch(() => undefined);
  }
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
