import { lstat, mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { UploadFields } from '@iclood/api-types';
import {
  advancePartialUpload,
  createPartialUpload,
  deleteExpiredPartialUploads,
  deletePartialUpload,
  findPartialUpload,
  partialUploadUsage,
  recordedPartialUploadIds,
  type JsonObject,
  type PartialUpload,
} from '@iclood/db';
import { appendToFile, RunningFileHash, StorageError, type ReceivedUpload } from '@iclood/storage';
import type { ServerConfig } from '../../config.js';
import { ApiError } from '../../errors.js';
import type { Principal } from '../../types.js';
import {
  createIngest,
  HASH_INLINE_MAX_BYTES,
  LIBRARY_FILE_MODE,
  type IngestDeps,
  type IngestReply,
} from './ingest.js';

/** The ingest pipeline's dependencies, plus how long an untouched resumable upload is kept. */
export interface ResumableDeps extends IngestDeps {
  config: IngestDeps['config'] & Pick<ServerConfig, 'uploadExpiryHours'>;
}

/** The folder of resumable uploads' bytes, inside the library's `.tmp` (a commit is then a link). */
export const RESUMABLE_DIR = 'resumable';
const HOUR_MS = 3_600_000;
/** How long a HEAD waits for a PATCH still writing the upload to settle before it answers. */
const SETTLE_WAIT_MS = 5_000;
/** Leading bytes read for type sniffing, as `receiveToTemp` keeps. */
const SNIFF_BYTES = 64 * 1024;

/** A part's `Upload-Checksum` (tus checksum extension). */
export interface PartChecksum {
  algorithm: 'sha1' | 'sha256';
  digest: Buffer;
}

/** A refusal that tells the client where the upload stands (`Upload-Offset`). */
export class UploadOffsetError extends ApiError {
  constructor(
    code: 'UPLOAD_OFFSET_MISMATCH' | 'UPLOAD_IN_PROGRESS',
    message: string,
    readonly offset: number,
  ) {
    super(code, message, [{ field: 'Upload-Offset', message: `the upload is at byte ${offset}` }]);
  }
}

function isClientGone(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (
    code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error as Error).message === 'aborted'
  );
}

/** A part's refusal by `appendToFile`, as the API answers it. */
function partError(error: unknown, remaining: number): unknown {
  if (!(error instanceof StorageError)) return error;
  switch (error.code) {
    case 'UPLOAD_LENGTH_EXCEEDED':
      return new ApiError('UPLOAD_LENGTH_EXCEEDED', `Only ${remaining} more bytes make up this upload`);
    case 'CHECKSUM_MISMATCH':
      return new ApiError('UPLOAD_CHECKSUM_MISMATCH', error.message.replace(/^the/, 'The'));
    case 'UPLOAD_ABORTED':
      return new ApiError('UPLOAD_ABORTED', 'The part was cut off before its checksum could be checked');
    case 'STORAGE_FULL':
      return new ApiError('STORAGE_FULL', 'The disk filled up while receiving this part');
    default:
      return error;
  }
}

/** The file's first bytes, for sniffing its type. */
async function readHead(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** What a PATCH (or a creation with its first bytes) leaves: the new offset, and the answer once complete. */
export interface AppendResult {
  offset: number;
  expiresAt: Date;
  finished?: IngestReply;
}

/**
 * Resumable uploads (tus 1.0) on the one ingest pipeline: an upload is created with its length
 * and fields, receives its bytes in parts at the offset it is at, and once complete is committed
 * exactly like a single-request upload. Each part is fsynced before its new offset is recorded,
 * so an acknowledged offset survives a crash. A part takes the raw upload's path (`appendToFile`):
 * batched writes, early flushes, and for a large file the SHA-256 on a hashing worker. The hash
 * runs across parts: its state is kept between PATCHes (on the worker, or in memory), and after a
 * restart (or once the worker is gone) the durable bytes are hashed again from the disk once, by
 * the next PATCH.
 *
 * @example
 * const uploads = new ResumableUploads(deps);
 * const created = await uploads.create(principal, { length, fields });
 * const { offset, finished } = await uploads.append(principal, id, { offset: 0, body: request.raw });
 */
export class ResumableUploads {
  readonly dir: string;
  private readonly ingest;
  /** The running hash of each upload this process has written to, by id. */
  private readonly hashes = new Map<string, RunningFileHash>();
  /**
   * Uploads a request is writing right now, with a way to stop that request and to know when it
   * has settled (its bytes recorded or dropped): a second writer gets 409, a DELETE stops it.
   */
  private readonly writing = new Map<string, { stop: AbortController; settled: Promise<void> }>();

  constructor(private readonly deps: ResumableDeps) {
    this.dir = join(deps.layout.libraryTmpDir, RESUMABLE_DIR);
    this.ingest = createIngest(deps);
  }

  private path(id: string): string {
    return join(this.dir, id);
  }

  private expiresAt(): Date {
    return new Date(this.deps.now().getTime() + this.deps.config.uploadExpiryHours * HOUR_MS);
  }

  /**
   * Checks the fields and the room on disk, and records the upload with an empty file. A file
   * whose `sha256` the user already has finishes here: `duplicate` is the answer, nothing is created.
   */
  async create(
    principal: Principal,
    input: { length: number; fields: UploadFields },
  ): Promise<{ duplicate: IngestReply } | { upload: PartialUpload }> {
    const upload = this.ingest.begin(principal);
    await upload.validate(input.fields, 'Upload-Metadata');
    if (!input.fields.filename) {
      throw new ApiError('VALIDATION_FAILED', 'Name the file in Upload-Metadata (filename)', [
        { field: 'Upload-Metadata/filename', message: 'is required' },
      ]);
    }
    const known = await upload.knownDuplicate(input.fields.sha256);
    if (known) return { duplicate: await upload.finish({ status: 'duplicate', media: known }) };
    upload.assertAllowedSize(input.length);
    // The space the uploads already under way will still need counts as taken.
    const { pendingBytes } = await partialUploadUsage(this.deps.db);
    await upload.assertRoomFor(input.length + pendingBytes);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const row = await createPartialUpload(this.deps.db, {
      userId: principal.user.id,
      deviceId: upload.deviceId,
      length: input.length,
      fields: input.fields as JsonObject,
      now: this.deps.now(),
      expiresAt: this.expiresAt(),
    });
    try {
      const handle = await open(this.path(row.id), 'wx', 0o600);
      // The placed original gets this mode; set now, on the handle (open()'s mode is cut by the umask).
      await handle.chmod(LIBRARY_FILE_MODE).finally(() => handle.close());
    } catch (error) {
      await deletePartialUpload(this.deps.db, row.id);
      throw error;
    }
    return { upload: row };
  }

  /**
   * The caller's upload `id`: `NOT_FOUND` for an unknown one or anyone else's (another user, or
   * another device of the same user), `UPLOAD_EXPIRED` (and removed) once past its expiry.
   */
  async find(principal: Principal, id: string): Promise<PartialUpload> {
    const row = await findPartialUpload(this.deps.db, {
      id,
      userId: principal.user.id,
      deviceId: principal.kind === 'device' ? principal.tokenRowId : null,
    });
    if (!row) throw new ApiError('NOT_FOUND', 'No such upload');
    if (row.expires_at.getTime() <= this.deps.now().getTime()) {
      if (!this.writing.has(id)) await this.remove(id);
      throw new ApiError('UPLOAD_EXPIRED', 'This upload expired; start it again');
    }
    return row;
  }

  /**
   * Abandons an upload: its row and bytes go. A PATCH still writing it (the client cancelled, or
   * its connection is gone but not yet noticed) is stopped first, so cancelling takes effect now.
   */
  async terminate(principal: Principal, id: string): Promise<void> {
    await this.find(principal, id);
    const writer = this.writing.get(id);
    if (writer) {
      writer.stop.abort(new ApiError('UPLOAD_ABORTED', 'The upload was abandoned while this part arrived'));
      await writer.settled;
      // The part it stopped may have been the last one: then the upload is committed, not abandoned.
      await this.find(principal, id);
    }
    await this.remove(id);
  }

  /**
   * {@link find}, once a PATCH still writing the upload has settled (waiting `waitMs` at most), so
   * that a client asking where it stands just after its connection dropped gets the offset the
   * cut part reached, not the one before it (its next PATCH would only meet a 409).
   */
  async findSettled(principal: Principal, id: string, waitMs = SETTLE_WAIT_MS): Promise<PartialUpload> {
    const writer = this.writing.get(id);
    if (writer) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([writer.settled, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    return this.find(principal, id);
  }

  /**
   * {@link sweepExpiredUploads}, sparing the uploads a request is writing or committing right now,
   * and forgetting the running hashes of the uploads it removed.
   */
  async sweepExpired(): Promise<{ files: number; bytes: number }> {
    const swept = await sweepExpiredUploads(this.deps, { inUse: (id) => this.writing.has(id) });
    const kept = await recordedPartialUploadIds(this.deps.db, [...this.hashes.keys()]);
    for (const id of this.hashes.keys()) if (!kept.has(id)) this.forgetHash(id);
    return swept;
  }

  /** Lets an upload's running hash go (on its worker too). */
  private forgetHash(id: string): void {
    this.hashes.get(id)?.discard();
    this.hashes.delete(id);
  }

  private async remove(id: string): Promise<void> {
    this.forgetHash(id);
    await deletePartialUpload(this.deps.db, id);
    await rm(this.path(id), { force: true });
  }

  /**
   * Appends `body` at `offset`. Bytes received before the client went away are kept (fsynced,
   * then recorded), so it resumes from there. The part that completes the upload commits it
   * through the ingest pipeline and returns its answer (`finished`).
   *
   * @throws ApiError `UPLOAD_OFFSET_MISMATCH` / `UPLOAD_IN_PROGRESS` (an {@link UploadOffsetError}),
   *   `UPLOAD_LENGTH_EXCEEDED` (nothing of the part kept), `UPLOAD_ABORTED` (what came is kept),
   *   `NOT_FOUND`, `UPLOAD_EXPIRED`, and the ingest pipeline's refusals on the last part.
   */
  async append(
    principal: Principal,
    id: string,
    input: { offset: number; body: Readable; declared?: number | undefined; checksum?: PartChecksum },
  ): Promise<AppendResult> {
    const row = await this.find(principal, id);
    const start = row.received_bytes;
    if (this.writing.has(id)) {
      throw new UploadOffsetError('UPLOAD_IN_PROGRESS', 'Another request is writing this upload', start);
    }
    if (input.offset !== start) {
      throw new UploadOffsetError(
        'UPLOAD_OFFSET_MISMATCH',
        `The upload is at byte ${start}, not ${input.offset}; resume from there`,
        start,
      );
    }
    const remaining = row.upload_length - start;
    if (input.declared !== undefined && input.declared > remaining) {
      throw new ApiError('UPLOAD_LENGTH_EXCEEDED', `Only ${remaining} more bytes make up this upload`);
    }
    const stop = new AbortController();
    let settle!: () => void;
    this.writing.set(id, { stop, settled: new Promise<void>((resolve) => (settle = resolve)) });
    try {
      const written = await this.receivePart(row, input.body, input.checksum, stop.signal);
      const offset = start + written.bytes;
      const expiresAt = this.expiresAt();
      if (written.bytes > 0) {
        const advanced = await advancePartialUpload(this.deps.db, {
          id,
          from: start,
          to: offset,
          now: this.deps.now(),
          expiresAt,
        });
        if (!advanced) {
          // Abandoned (or expired and swept) while this part was arriving.
          this.forgetHash(id);
          throw new ApiError('NOT_FOUND', 'No such upload');
        }
      }
      if (written.cutOff !== undefined) {
        throw new ApiError('UPLOAD_ABORTED', `The part was cut off; the upload is at byte ${offset}`);
      }
      if (offset < row.upload_length) return { offset, expiresAt };
      return { offset, expiresAt, finished: await this.complete(principal, row) };
    } finally {
      this.writing.delete(id);
      settle();
    }
  }

  /**
   * Writes the part at the upload's offset, hashing it; fsynced before it returns, with nothing
   * left in flight. What `appendToFile` refuses keeps none of the part and drops the hash.
   */
  private async receivePart(
    row: PartialUpload,
    body: Readable,
    checksum: PartChecksum | undefined,
    signal: AbortSignal,
  ): Promise<{ bytes: number; cutOff?: unknown }> {
    const start = row.received_bytes;
    const remaining = row.upload_length - start;
    const hash = await this.hashUpTo(row);
    try {
      return await appendToFile(body, {
        path: this.path(row.id),
        offset: start,
        maxBytes: remaining,
        hash,
        ...(checksum === undefined ? {} : { checksum }),
        isCutOff: isClientGone,
        signal,
      });
    } catch (error) {
      // Nothing of this part counts: the next one starts again from `start`, hashed again from the disk.
      this.forgetHash(row.id);
      throw partError(error, remaining);
    }
  }

  /**
   * The running hash of the upload's durable bytes: the one kept by the previous part, or, after a
   * restart (or when another part failed, or the hashing worker holding it ended), the bytes
   * already on disk hashed again once (on a worker for a large file).
   */
  private async hashUpTo(row: PartialUpload): Promise<RunningFileHash> {
    const kept = this.hashes.get(row.id);
    if (kept && !kept.lost && kept.bytes === row.received_bytes) return kept;
    this.forgetHash(row.id);
    const hash = await RunningFileHash.ofFile(this.path(row.id), row.received_bytes, {
      onWorker: row.upload_length > HASH_INLINE_MAX_BYTES,
    });
    this.hashes.set(row.id, hash);
    return hash;
  }

  /** The last byte is in: the upload leaves the resumable list and goes through the ingest commit. */
  private async complete(principal: Principal, row: PartialUpload): Promise<IngestReply> {
    const tempPath = this.path(row.id);
    const hash = this.hashes.get(row.id) ?? (await RunningFileHash.ofFile(tempPath, row.upload_length));
    this.hashes.delete(row.id);
    const [sha256, head] = await Promise.all([hash.digest(tempPath), readHead(tempPath)]);
    const stats = await lstat(tempPath, { bigint: true });
    const received: ReceivedUpload = {
      tempPath,
      sha256,
      size: row.upload_length,
      head,
      ino: stats.ino.toString(),
      synced: true,
    };
    // The row goes first: if the server dies before the commit ends, the file is an orphan the
    // sweep removes, and the client (never answered) sends the file again.
    await deletePartialUpload(this.deps.db, row.id);
    const upload = this.ingest.begin(principal);
    const fields = row.fields as UploadFields;
    try {
      await upload.validate(fields, 'Upload-Metadata');
      return await upload.finish(await upload.commit(received, fields));
    } catch (error) {
      await rm(tempPath, { force: true });
      await upload.countFailure();
      throw error;
    }
  }
}

/**
 * Removes resumable uploads past their expiry (rows and bytes) and files no row knows (a crash
 * between a finished upload's row and its commit), except those `inUse` names. For the start-up
 * sweep; a running server sweeps through {@link ResumableUploads.sweepExpired}.
 *
 * @example
 * const swept = await sweepExpiredUploads({ db, layout, now }); // { files: 1, bytes: 3_145_728 }
 */
export async function sweepExpiredUploads(
  deps: Pick<IngestDeps, 'db' | 'layout' | 'now'>,
  options: { inUse?: (id: string) => boolean } = {},
): Promise<{ files: number; bytes: number }> {
  const dir = join(deps.layout.libraryTmpDir, RESUMABLE_DIR);
  const swept = { files: 0, bytes: 0 };
  const removeFile = async (name: string) => {
    const stats = await lstat(join(dir, name)).catch(() => undefined);
    if (!stats?.isFile()) return;
    await rm(join(dir, name), { force: true });
    swept.files += 1;
    swept.bytes += stats.size;
  };
  for (const id of await deleteExpiredPartialUploads(deps.db, { now: deps.now() })) await removeFile(id);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const recorded = await recordedPartialUploadIds(deps.db, names);
  // A finished upload's row goes before its commit: its file is in use, not an orphan, until then.
  for (const name of names) if (!recorded.has(name) && options.inUse?.(name) !== true) await removeFile(name);
  return swept;
}
