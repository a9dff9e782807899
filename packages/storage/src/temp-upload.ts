import { createHash, randomUUID } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { StorageError } from './errors.js';
import { startFileHash, type FileHashJob } from './file-hash-worker.js';
import { formatBytes } from './free-space.js';

/** Options of {@link receiveToTemp}. */
export interface ReceiveToTempOptions {
  /** Where the `.part` file goes: `<library>/.tmp`, so committing it is a link, not a copy. */
  tmpDir: string;
  /** Refuse (`FILE_TOO_LARGE`) as soon as more bytes than this arrive; nothing past it is written. */
  maxBytes?: number;
  /** Aborting it stops the upload (`UPLOAD_ABORTED`), even while waiting for a silent client. */
  signal?: AbortSignal;
  /** How many leading bytes to keep in `head` for type sniffing; 64 KiB by default. */
  sniffBytes?: number;
  /**
   * Hash on a worker thread instead of the event loop: the worker reads back each written batch
   * from the page cache (a second pass over memory, not over the disk). Frees ~0.7 s of event-loop
   * time per GiB on x86 with SHA extensions, far more on a Raspberry Pi 4, for a little more total
   * CPU. When every worker is busy the upload is hashed inline. `false` (one pass) by default.
   */
  hashOnWorker?: boolean;
  /**
   * Flush the file to disk (fdatasync) before resolving, on the handle already open, so that
   * `commitToLibrary` need not reopen it: one system call instead of four on the commit path.
   * `'background'`: start that last flush but resolve without waiting for it; `flushed` settles
   * when the bytes are on disk. Give it to `commitToLibrary` (`synced.flushed`), which waits for
   * it before linking, so the caller's own work (metadata, a duplicate check) and the commit's
   * preparation overlap the flush instead of following it.
   */
  durable?: boolean | 'background';
  /** Permissions given to the file (fchmod on the open handle): 0600 by default. */
  fileMode?: number;
  /**
   * With `durable`, start flushing in the background each time this many more bytes have been
   * written (32 MiB by default), so a large file reaches the disk while it is still arriving and
   * the final flush has only the tail left (bench/ingest: the last fdatasync of 1 GiB written
   * without this took ~0.7 s here).
   */
  earlyFlushBytes?: number;
}

/** A fully received upload, still in its temp file. */
export interface ReceivedUpload {
  /** `<tmpDir>/<uuid>.part`, mode 0600; give it to `commitToLibrary` or `discardTemp`. */
  tempPath: string;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
  size: number;
  /** The first `sniffBytes` bytes (fewer for a smaller file), for `sniffMediaType` (`@iclood/media`). */
  head: Buffer;
  /** Inode number (decimal), so a commit can recognise the very file it placed. */
  ino: string;
  /**
   * True when `durable` was asked: the bytes are on disk (with `'background'`, once `flushed`
   * resolves), with the mode asked for.
   */
  synced: boolean;
  /**
   * With `durable: 'background'`: settles once the bytes are on disk, or rejects (EIO, ENOSPC).
   * A rejection nobody waits for is not reported as unhandled.
   */
  flushed?: Promise<void>;
}

/** Bytes per write: large writes keep syscalls (and their thread-pool hops) rare. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** A batch of tiny chunks is flushed before it passes IOV_MAX buffers. */
const MAX_BATCH_CHUNKS = 1024;
const DEFAULT_SNIFF_BYTES = 64 * 1024;
const DEFAULT_EARLY_FLUSH_BYTES = 32 * 1024 * 1024;
/** How far the hashing worker may trail the writes: close enough that it reads from the page cache. */
const MAX_HASH_LAG_BYTES = 64 * 1024 * 1024;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** True for the errors a full disk or an exhausted quota gives. */
export function isDiskFullError(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOSPC' || code === 'EDQUOT';
}

async function writeFully(handle: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  const remaining = buffers;
  let offset = position;
  while (remaining.length > 0) {
    const { bytesWritten } = await handle.writev(remaining, offset);
    // libuv returns a short count instead of an error when the disk fills part-way; the retry
    // of the rest then fails with ENOSPC.
    if (bytesWritten === 0) throw new Error('write made no progress');
    offset += bytesWritten;
    let skip = bytesWritten;
    while (remaining.length > 0 && skip >= remaining[0]!.byteLength) skip -= remaining.shift()!.byteLength;
    if (skip > 0) remaining[0] = remaining[0]!.subarray(skip);
  }
}

/**
 * Keeps one write in flight at all times: a chunk arriving while the disk is idle is written at
 * once, and chunks arriving meanwhile are gathered into one large writev (up to 1 MiB), so the
 * disk works in the thread pool while the event loop hashes, and syscalls stay few.
 */
class BatchedFileWriter {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #position = 0;
  #inFlight: Promise<void> = Promise.resolve();
  #diskIdle = true;

  constructor(
    private readonly handle: FileHandle,
    private readonly onWritten?: (upTo: number) => void,
  ) {}

  /** Bytes handed to the file so far (written or being written). */
  get submittedBytes(): number {
    return this.#position;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.byteLength;
    if (this.#diskIdle) return this.#startWrite();
    if (this.#pendingBytes >= WRITE_BATCH_BYTES || this.#pending.length >= MAX_BATCH_CHUNKS) {
      await this.#inFlight;
      this.#startWrite();
    }
  }

  async finish(): Promise<void> {
    await this.#inFlight;
    if (this.#pendingBytes > 0) this.#startWrite();
    await this.#inFlight;
  }

  /** Waits for the write in flight without caring how it ended, before the file is closed. */
  async settle(): Promise<void> {
    await this.#inFlight.catch(() => undefined);
  }

  #startWrite(): void {
    const buffers = this.#pending;
    const position = this.#position;
    this.#position += this.#pendingBytes;
    const upTo = this.#position;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#diskIdle = false;
    this.#inFlight = writeFully(this.handle, buffers, position).then(() => {
      this.#diskIdle = true;
      this.onWritten?.(upTo);
    });
    // A failure is reported by the next wait on it (a full batch, or finish()); until then it
    // must not count as unhandled.
    this.#inFlight.catch(() => undefined);
  }
}

function sourceIterator(source: Readable | AsyncIterable<Uint8Array>): AsyncIterator<unknown> {
  // Not destroying a Readable on an early stop lets the caller still answer 413 on that connection.
  if (source instanceof Readable) return source.iterator({ destroyOnReturn: false });
  return source[Symbol.asyncIterator]();
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new TypeError('receiveToTemp needs binary chunks (a Readable without setEncoding, or Uint8Arrays)');
}

function abortError(signal: AbortSignal): StorageError {
  return new StorageError('UPLOAD_ABORTED', 'the upload was aborted before it was complete', {
    cause: signal.reason,
  });
}

/**
 * The iterator's next chunk, or `UPLOAD_ABORTED` as soon as the signal fires, even while a silent
 * client keeps next() pending. The listener lives for one chunk only, so nothing piles up on a
 * long upload.
 */
function nextUnlessAborted(
  iterator: AsyncIterator<unknown>,
  signal: AbortSignal | undefined,
): Promise<IteratorResult<unknown>> {
  if (signal === undefined) return iterator.next();
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    iterator.next().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Streams an upload into `<tmpDir>/<uuid>.part` in one pass, hashing (SHA-256) and counting on
 * the way, with backpressure and constant memory whatever the size: only `head` is kept.
 * Chunks are written by reference, so an AsyncIterable source must not reuse a chunk's memory
 * after yielding it (Node streams never do).
 *
 * On any failure the temp file is removed. A `Readable` source is never destroyed here: after
 * `FILE_TOO_LARGE` or `STORAGE_FULL` the caller decides whether to drain it or close the connection.
 *
 * @throws StorageError `EMPTY_FILE` (no bytes; no file is created), `FILE_TOO_LARGE`,
 *   `STORAGE_FULL` (ENOSPC/EDQUOT), `UPLOAD_ABORTED` (the signal fired); an error of the source
 *   itself (the client went away) is rethrown unchanged.
 * @example
 * const upload = await receiveToTemp(request.raw, { tmpDir: layout.libraryTmpDir, maxBytes, signal });
 * const type = sniffMediaType(upload.head, fileName);
 */
export async function receiveToTemp(
  source: Readable | AsyncIterable<Uint8Array>,
  options: ReceiveToTempOptions,
): Promise<ReceivedUpload> {
  const {
    tmpDir,
    maxBytes = Number.POSITIVE_INFINITY,
    signal,
    sniffBytes = DEFAULT_SNIFF_BYTES,
    hashOnWorker = false,
    durable = false,
    fileMode = 0o600,
    earlyFlushBytes = DEFAULT_EARLY_FLUSH_BYTES,
  } = options;
  if (signal?.aborted) throw abortError(signal);
  const tempPath = join(tmpDir, `${randomUUID()}.part`);
  const hash = createHash('sha256');
  const head = Buffer.allocUnsafe(sniffBytes);
  let headLength = 0;
  let size = 0;
  let handle: FileHandle | undefined;
  let writer: BatchedFileWriter | undefined;
  let hashJob: FileHashJob | undefined;
  // At most one background flush at a time; its failure (EIO, ENOSPC) fails the upload at the end.
  let earlyFlush: Promise<void> = Promise.resolve();
  let earlyFlushRunning = false;
  let flushStartedAt = 0;
  const iterator = sourceIterator(source);
  try {
    for (;;) {
      const result = await nextUnlessAborted(iterator, signal);
      if (result.done === true) break;
      const chunk = asBytes(result.value);
      if (chunk.byteLength === 0) continue;
      size += chunk.byteLength;
      if (size > maxBytes) {
        throw new StorageError(
          'FILE_TOO_LARGE',
          `the upload is larger than the ${formatBytes(maxBytes)} limit`,
        );
      }
      if (headLength < sniffBytes) {
        headLength += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).copy(head, headLength);
      }
      if (writer === undefined) {
        handle = await open(tempPath, 'wx', 0o600);
        // The mode is set on the open handle: open()'s mode is cut by the umask, chmod is not.
        if (fileMode !== 0o600) await handle.chmod(fileMode);
        hashJob = hashOnWorker ? startFileHash(tempPath) : undefined;
        writer = new BatchedFileWriter(handle, hashJob?.written);
      }
      if (hashJob === undefined) hash.update(chunk);
      await writer.write(chunk);
      if (durable && !earlyFlushRunning && writer.submittedBytes - flushStartedAt >= earlyFlushBytes) {
        flushStartedAt = writer.submittedBytes;
        earlyFlushRunning = true;
        earlyFlush = handle!.datasync().finally(() => (earlyFlushRunning = false));
        earlyFlush.catch(() => undefined);
      }
      if (hashJob !== undefined && writer.submittedBytes > MAX_HASH_LAG_BYTES) {
        await hashJob.hashedUpTo(writer.submittedBytes - MAX_HASH_LAG_BYTES);
      }
    }
    if (writer === undefined || handle === undefined)
      throw new StorageError('EMPTY_FILE', 'the upload has no bytes');
    await writer.finish();
    if (signal?.aborted) throw abortError(signal);
    const file = handle;
    const background = durable === 'background';
    // The flush to disk (unless left to run in the background) and the end of the worker's
    // hashing overlap.
    const [sha256, stats] = await Promise.all([
      hashJob === undefined ? hash.digest('hex') : hashJob.finish(size),
      (async () => {
        if (durable === true) {
          await earlyFlush;
          await file.datasync();
        }
        return file.stat({ bigint: true });
      })(),
    ]);
    let flushed: Promise<void> | undefined;
    if (background) {
      // The handle now belongs to the flush, which closes it however it ends.
      flushed = (async () => {
        try {
          await earlyFlush;
          await file.datasync();
        } finally {
          await file.close().catch(() => undefined);
        }
      })();
      flushed.catch(() => undefined);
    } else {
      await file.close();
    }
    handle = undefined;
    return {
      tempPath,
      sha256,
      size,
      head: head.subarray(0, headLength),
      ino: stats.ino.toString(),
      synced: durable !== false,
      ...(flushed === undefined ? {} : { flushed }),
    };
  } catch (error) {
    hashJob?.cancel();
    await writer?.settle();
    await earlyFlush.catch(() => undefined);
    await handle?.close().catch(() => undefined);
    // A temp file that cannot be removed now is left to the next sweep; the upload's error matters more.
    if (writer !== undefined) await discardTemp(tempPath).catch(() => undefined);
    // Not awaited: after an abort, the source may still be blocked in next().
    void (async () => iterator.return?.())().catch(() => undefined);
    if (isDiskFullError(error)) {
      throw new StorageError(
        'STORAGE_FULL',
        `the disk filled up while receiving the upload (${errorCode(error)})`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

/**
 * Removes an upload's temp file (a duplicate, a refused type); a file already gone is fine.
 *
 * @example
 * if (existing) await discardTemp(upload.tempPath);
 */
export async function discardTemp(tempPath: string): Promise<void> {
  try {
    await unlink(tempPath);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}
