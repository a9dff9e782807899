import type { Readable } from 'node:stream';
import { Compile } from 'typebox/compile';
import { UploadFields, type ErrorDetail } from '@iclood/api-types';
import {
  addMediaToAlbumsByName,
  DbError,
  findBackupSession,
  findMediaBySha256,
  insertMedia,
  recordSessionUpload,
  type Database,
  type Kysely,
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
  type DataLayout,
  type ReceivedUpload,
} from '@iclood/storage';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../../config.js';
import { ApiError } from '../../errors.js';
import type { App, Principal } from '../../types.js';
import { cleanUploadAlbumNames } from '../library/item-names.js';

/** What the ingest pipeline needs, and nothing of Fastify's request or reply. */
export interface IngestDeps {
  db: Kysely<Database>;
  layout: Pick<DataLayout, 'libraryTmpDir'>;
  config: Pick<ServerConfig, 'libraryDir' | 'maxUploadBytes' | 'minFreeBytes'>;
  now: () => Date;
  log: FastifyBaseLogger;
}

/** How an upload ended: stored anew, or the same bytes were already in the user's library. */
export type IngestOutcome = { status: 'created' | 'duplicate'; media: Media };

/** The body every upload entry point answers with (201 `created` / 200 `duplicate`). */
export interface IngestReply {
  statusCode: 201 | 200;
  message: string;
  body: { id: string; status: 'created' | 'duplicate'; trashed?: true };
}

const checkFields = Compile(UploadFields);
/** How many names recorded by rows whose files are gone one upload steps past before giving up. */
const MAX_RECORDED_NAME_RETRIES = 50;
/** Uploads up to this size (by Content-Length) are hashed on the event loop, larger ones on a worker. */
export const HASH_INLINE_MAX_BYTES = 16 * 1024 * 1024;
/** Originals are readable by everyone who can reach the library folder: the disk is browsable. */
export const LIBRARY_FILE_MODE = 0o644;

function fieldErrors(fields: unknown, prefix: string): ErrorDetail[] {
  return [...checkFields.Errors(fields)].map((error) => ({
    field: `${prefix}${error.instancePath}`,
    message: error.message,
  }));
}

/** `../x.jpg`, `/etc/x.jpg`, `C:\x.jpg`: a name that tries to be a path is refused, not cleaned. */
function assertPlainFileName(name: string): void {
  if (/[/\\\0]/.test(name) || name === '.' || name === '..') {
    throw new ApiError('INVALID_FILENAME', 'The file name must be a plain name, not a path');
  }
}

/** A Content-Length (or Upload-Length) as a number, when it is one. */
export function declaredBytes(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * The one ingest pipeline (DESIGN §6) behind every upload protocol: multipart, raw body and
 * resumable. A route adapts its protocol to an {@link IngestUpload} (validate the fields, look
 * up a known hash, receive or hand over the bytes, commit) and answers with {@link IngestUpload.finish}.
 *
 * @example
 * const upload = createIngest({ db, layout, config, now, log }).begin(principal);
 * await upload.validate(fields);
 * const reply = await upload.finish(await upload.commit(await upload.receive(body, length), fields));
 */
export function createIngest(deps: IngestDeps): { begin(principal: Principal): IngestUpload } {
  return { begin: (principal) => new IngestUpload(deps, principal) };
}
export type Ingest = ReturnType<typeof createIngest>;

/** One upload's state and steps, whatever protocol carries its bytes. */
export class IngestUpload {
  private sessionId: string | undefined;
  readonly deviceId: string | null;
  /** The `albums` field, cleaned; the item goes into these once stored (or found a duplicate). */
  private albumNames: string[] = [];

  constructor(
    private readonly deps: IngestDeps,
    readonly principal: Principal,
  ) {
    this.deviceId = principal.kind === 'device' ? principal.tokenRowId : null;
  }

  /** Checks the fields (`fieldPrefix` names where they came from in an error) and the session. */
  async validate(fields: UploadFields, fieldPrefix = 'fields'): Promise<void> {
    const errors = fieldErrors(fields, fieldPrefix);
    if (errors.length > 0)
      throw new ApiError('VALIDATION_FAILED', `${errors[0]!.field} ${errors[0]!.message}`, errors);
    this.albumNames = cleanUploadAlbumNames(fields.albums);
    if (fields.filename !== undefined) assertPlainFileName(fields.filename);
    if (fields.sessionId !== undefined && fields.sessionId !== this.sessionId) {
      const session = this.deviceId
        ? await findBackupSession(this.deps.db, {
            id: fields.sessionId,
            userId: this.principal.user.id,
            deviceId: this.deviceId,
          })
        : undefined;
      if (!session) throw new ApiError('NOT_FOUND', 'No such backup session for this device');
      this.sessionId = session.id;
    }
  }

  /** The user's item with these bytes, when the client told their hash: nothing need be sent. */
  async knownDuplicate(sha256: string | undefined): Promise<Media | undefined> {
    if (!sha256) return undefined;
    return findMediaBySha256(this.deps.db, { userId: this.principal.user.id, sha256: sha256.toLowerCase() });
  }

  /** A file declared larger than ICLOOD_MAX_UPLOAD_BYTES is refused unread. */
  assertAllowedSize(bytes: number | undefined): void {
    const max = this.deps.config.maxUploadBytes;
    if (max !== undefined && (bytes ?? 0) > max) {
      throw new ApiError('FILE_TOO_LARGE', `The file is larger than this server's ${formatBytes(max)} limit`);
    }
  }

  /** `STORAGE_FULL` (507) when `bytes` more would leave less than ICLOOD_MIN_FREE_BYTES free. */
  async assertRoomFor(bytes: number | undefined): Promise<void> {
    await assertFreeSpace(this.deps.config.libraryDir, {
      incomingBytes: bytes ?? 0,
      minFreeBytes: this.deps.config.minFreeBytes,
    });
  }

  /** Streams a body into a temp file of the library while hashing it; `declared` is its announced size. */
  async receive(body: Readable, declared: number | undefined): Promise<ReceivedUpload> {
    // Large files are hashed on a worker, which keeps the event loop free for the socket (bench/ingest,
    // 1 GiB on a 2-core machine: 403 → 512 MiB/s on PostgreSQL, 244 → 315 MiB/s on PGlite). A photo
    // is hashed inline: the worker's messages and its second pass over the bytes cost more CPU than
    // they free for a few MB, and CPU is what 4 uploads in flight on 2 cores run short of.
    try {
      return await receiveToTemp(body, {
        tmpDir: this.deps.layout.libraryTmpDir,
        maxBytes: this.deps.config.maxUploadBytes,
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

  /**
   * Sniffs, looks up by hash, reads the metadata, places the file and inserts its row. The temp
   * file is consumed however it ends: placed, or removed.
   */
  async commit(upload: ReceivedUpload, fields: UploadFields): Promise<IngestOutcome> {
    const { deps, principal } = this;
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
      const existing = await findMediaBySha256(deps.db, { userId: principal.user.id, sha256: upload.sha256 });
      if (existing) {
        await discardTemp(upload.tempPath);
        return { status: 'duplicate', media: existing };
      }
      const now = deps.now();
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
      let placement = await commitToLibrary({
        tempPath: upload.tempPath,
        libraryDir: deps.config.libraryDir,
        relDir: libraryRelativeDir(principal.user.libraryFolder, metadata.takenAtLocal),
        fileName,
        ...(fields.modifiedAt ? { modifiedAt: new Date(fields.modifiedAt) } : {}),
        fileMode: LIBRARY_FILE_MODE,
        ...(upload.synced ? { synced: { ino: upload.ino, size: upload.size, flushed: upload.flushed } } : {}),
      });
      // A name a row records although its file is gone from the disk (removed by hand) is
      // refused by the insert: the file moves to the next free name rather than failing the upload.
      for (let refusedNames = 0; ;) {
        let result: Awaited<ReturnType<typeof insertMedia>>;
        try {
          result = await insertMedia(deps.db, { ...record, relPath: placement.relPath });
        } catch (error) {
          if (
            error instanceof DbError &&
            error.code === 'MEDIA_PATH_TAKEN' &&
            refusedNames < MAX_RECORDED_NAME_RETRIES
          ) {
            refusedNames += 1;
            deps.log.warn(
              { relPath: placement.relPath },
              'a media row records this path but its file is missing; placing the upload under another name',
            );
            placement = await placement.placeUnderNextName();
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

  /** Files the item into the albums asked for, counts it in the session, and shapes the answer. */
  async finish(outcome: IngestOutcome): Promise<IngestReply> {
    await this.addToAlbums(outcome.media.id);
    await this.countInSession(outcome.status, outcome.media.size);
    return {
      statusCode: outcome.status === 'created' ? 201 : 200,
      message: outcome.status === 'created' ? 'Stored' : 'Already backed up',
      body: {
        id: outcome.media.id,
        status: outcome.status,
        ...(outcome.media.trashed_at ? { trashed: true as const } : {}),
      },
    };
  }

  /** A duplicate joins the albums too: a phone re-sending an item in a new album expects it there. */
  private async addToAlbums(mediaId: string): Promise<void> {
    if (this.albumNames.length === 0) return;
    await addMediaToAlbumsByName(this.deps.db, {
      userId: this.principal.user.id,
      mediaId,
      names: this.albumNames,
      at: this.deps.now(),
    });
  }

  private async countInSession(status: 'created' | 'duplicate', bytes: number): Promise<void> {
    if (!this.sessionId || !this.deviceId) return;
    await recordSessionUpload(this.deps.db, {
      sessionId: this.sessionId,
      userId: this.principal.user.id,
      deviceId: this.deviceId,
      outcome: status,
      bytes,
    });
  }

  /** Counts a refused or failed upload in its session; never fails the answer itself. */
  async countFailure(): Promise<void> {
    if (!this.sessionId || !this.deviceId) return;
    await recordSessionUpload(this.deps.db, {
      sessionId: this.sessionId,
      userId: this.principal.user.id,
      deviceId: this.deviceId,
      outcome: 'failed',
      bytes: 0,
    }).catch(() => undefined);
  }
}

/** The ingest pipeline's dependencies, taken from the app (its clock read at each call). */
export function ingestDepsOf(app: App): IngestDeps & { config: ServerConfig } {
  return { db: app.db, layout: app.layout, config: app.config, now: () => app.now(), log: app.log };
}
