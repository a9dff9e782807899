import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
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
import { isDiskFullError, type ReceivedUpload } from '@iclood/storage';
import type { ServerConfig } from '../../config.js';
import { ApiError } from '../../errors.js';
import type { Principal } from '../../types.js';
import { createIngest, LIBRARY_FILE_MODE, type IngestDeps, type IngestReply } from './ingest.js';

/** The ingest pipeline's dependencies, plus how long an untouched resumable upload is kept. */
export interface ResumableDeps extends IngestDeps {
  config: IngestDeps['config'] & Pick<ServerConfig, 'uploadExpiryHours'>;
}

/** The folder of resumable uploads' bytes, inside the library's `.tmp` (a commit is then a link). */
export const RESUMABLE_DIR = 'resumable';
const HOUR_MS = 3_600_000;
/** Leading bytes kept for type sniffing, as `receiveToTemp` keeps. */
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

/** The SHA-256 of an upload's first `bytes` bytes, carried from one PATCH to the next. */
interface HashState {
  hash: Hash;
  bytes: number;
  head: Buffer;
  headLength: number;
}

function newHashState(): HashState {
  return { hash: createHash('sha256'), bytes: 0, head: Buffer.allocUnsafe(SNIFF_BYTES), headLength: 0 };
}

function feed(state: HashState, chunk: Uint8Array): void {
  state.hash.update(chunk);
  state.bytes += chunk.byteLength;
  if (state.headLength < SNIFF_BYTES) {
    state.headLength += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).copy(
      state.head,
      state.headLength,
    );
  }
}

async function writeAll(handle: FileHandle, chunk: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done, position + done);
    if (bytesWritten === 0) throw new Error('write made no progress');
    done += bytesWritten;
  }
}

function isClientGone(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (
    code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error as Error).message === 'aborted'
  );
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
 * so an acknowledged offset survives a crash. The SHA-256 runs across parts: its state is kept
 * in memory between PATCHes, and after a restart the durable bytes are hashed again from the
 * disk once, by the first PATCH.
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
  private readonly hashes = new Map<string, HashState>();
  /** Uploads a request is writing right now: a second writer gets 409. */
  private readonly writing = new Set<string>();

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

  /** Abandons an upload: its row and bytes go. */
  async terminate(principal: Principal, id: string): Promise<void> {
    const row = await this.find(principal, id);
    if (this.writing.has(id)) {
      throw new UploadOffsetError(
        'UPLOAD_IN_PROGRESS',
        'A request is writing this upload',
        row.received_bytes,
      );
    }
    await this.remove(id);
  }

  /**
   * {@link sweepExpiredUploads}, sparing the uploads a request is writing or committing right now,
   * and forgetting the running hashes of the uploads it removed.
   */
  async sweepExpired(): Promise<{ files: number; bytes: number }> {
    const swept = await sweepExpiredUploads(this.deps, { inUse: (id) => this.writing.has(id) });
    const kept = await recordedPartialUploadIds(this.deps.db, [...this.hashes.keys()]);
    for (const id of this.hashes.keys()) if (!kept.has(id)) this.hashes.delete(id);
    return swept;
  }

  private async remove(id: string): Promise<void> {
    this.hashes.delete(id);
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
    this.writing.add(id);
    try {
      const written = await this.receivePart(row, input.body, input.checksum);
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
          this.hashes.delete(id);
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
    }
  }

  /** Writes the part at the upload's offset, hashing it; fsynced before it returns. */
  private async receivePart(
    row: PartialUpload,
    body: Readable,
    checksum?: PartChecksum,
  ): Promise<{ bytes: number; cutOff?: unknown }> {
    const start = row.received_bytes;
    const remaining = row.upload_length - start;
    const state = await this.hashUpTo(row);
    const partHash = checksum ? createHash(checksum.algorithm) : undefined;
    const handle = await open(this.path(row.id), 'r+');
    let bytes = 0;
    let cutOff: unknown;
    try {
      // Bytes past the acknowledged offset (a part that was being written when the server died)
      // were never acknowledged: they go.
      await handle.truncate(start);
      const iterator = body.iterator({ destroyOnReturn: false });
      try {
        for await (const value of iterator) {
          const chunk = value as Uint8Array;
          if (bytes + chunk.byteLength > remaining) {
            throw new ApiError('UPLOAD_LENGTH_EXCEEDED', `Only ${remaining} more bytes make up this upload`);
          }
          await writeAll(handle, chunk, start + bytes);
          feed(state, chunk);
          partHash?.update(chunk);
          bytes += chunk.byteLength;
        }
      } catch (error) {
        if (!isClientGone(error)) throw error;
        cutOff = error;
      }
      if (checksum && cutOff !== undefined) {
        // A part cut off cannot be checked against its checksum: none of it counts.
        throw new ApiError('UPLOAD_ABORTED', 'The part was cut off before its checksum could be checked');
      }
      if (checksum && !partHash!.digest().equals(checksum.digest)) {
        throw new ApiError(
          'UPLOAD_CHECKSUM_MISMATCH',
          `The part does not match its ${checksum.algorithm} checksum`,
        );
      }
      if (bytes > 0) await handle.datasync();
    } catch (error) {
      // Nothing of this part counts: the next one starts again from `start`, hashed again from the disk.
      this.hashes.delete(row.id);
      await handle.truncate(start).catch(() => undefined);
      if (isDiskFullError(error)) {
        throw new ApiError('STORAGE_FULL', 'The disk filled up while receiving this part');
      }
      throw error;
    } finally {
      await handle.close();
    }
    return cutOff === undefined ? { bytes } : { bytes, cutOff };
  }

  /**
   * The running hash of the upload's durable bytes: the one kept in memory by the previous part,
   * or, after a restart (or when another part failed), the bytes already on disk hashed again
   * once, streaming.
   */
  private async hashUpTo(row: PartialUpload): Promise<HashState> {
    const kept = this.hashes.get(row.id);
    if (kept && kept.bytes === row.received_bytes) return kept;
    const state = newHashState();
    if (row.received_bytes > 0) {
      const stream = createReadStream(this.path(row.id), { start: 0, end: row.received_bytes - 1 });
      for await (const chunk of stream) feed(state, chunk as Buffer);
      if (state.bytes !== row.received_bytes) {
        throw new Error(`upload ${row.id} has ${state.bytes} bytes on disk, not ${row.received_bytes}`);
      }
    }
    this.hashes.set(row.id, state);
    return state;
  }

  /** The last byte is in: the upload leaves the resumable list and goes through the ingest commit. */
  private async complete(principal: Principal, row: PartialUpload): Promise<IngestReply> {
    const state = this.hashes.get(row.id)!;
    this.hashes.delete(row.id);
    const tempPath = this.path(row.id);
    const stats = await lstat(tempPath, { bigint: true });
    const received: ReceivedUpload = {
      tempPath,
      sha256: state.hash.digest('hex'),
      size: row.upload_length,
      head: state.head.subarray(0, state.headLength),
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
