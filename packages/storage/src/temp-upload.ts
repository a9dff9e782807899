import { createHash, randomUUID } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BatchedFileWriter, DEFAULT_EARLY_FLUSH_BYTES, EarlyFlush } from './batched-writer.js';
import { StorageError } from './errors.js';
import { MAX_HASH_LAG_BYTES, startFileHash, type FileHashJob } from './file-hash-worker.js';
import { formatBytes } from './free-space.js';
import {
  abortError,
  asBytes,
  diskFullAsStorageError,
  nextUnlessAborted,
  releaseSource,
  sourceIterator,
} from './upload-source.js';

export { isDiskFullError } from './upload-source.js';

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

const DEFAULT_SNIFF_BYTES = 64 * 1024;

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
  let earlyFlush: EarlyFlush | undefined;
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
        if (durable) earlyFlush = new EarlyFlush(handle, earlyFlushBytes);
      }
      if (hashJob === undefined) hash.update(chunk);
      await writer.write(chunk);
      earlyFlush?.written(writer.submittedBytes);
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
          await earlyFlush?.done();
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
          await earlyFlush?.done();
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
    await earlyFlush?.done().catch(() => undefined);
    await handle?.close().catch(() => undefined);
    // A temp file that cannot be removed now is left to the next sweep; the upload's error matters more.
    if (writer !== undefined) await discardTemp(tempPath).catch(() => undefined);
    releaseSource(iterator);
    throw diskFullAsStorageError(error, 'the upload');
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
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
