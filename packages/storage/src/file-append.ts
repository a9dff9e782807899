import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { BatchedFileWriter, DEFAULT_EARLY_FLUSH_BYTES, EarlyFlush } from './batched-writer.js';
import { StorageError } from './errors.js';
import type { RunningFileHash } from './running-hash.js';
import {
  asBytes,
  diskFullAsStorageError,
  nextUnlessAborted,
  releaseSource,
  sourceIterator,
} from './upload-source.js';

/** Options of {@link appendToFile}. */
export interface AppendToFileOptions {
  /** The file, already there, at least `offset` bytes long. */
  path: string;
  /** Where the part goes: the bytes acknowledged so far. Anything past it is cut off first. */
  offset: number;
  /** Refuse (`UPLOAD_LENGTH_EXCEEDED`) as soon as more bytes than this arrive; none of the part is kept. */
  maxBytes: number;
  /** The hash of the first `offset` bytes, carried on over the part (see {@link RunningFileHash}). */
  hash: RunningFileHash;
  /** The part's own checksum (tus `Upload-Checksum`): the part counts only whole and matching. */
  checksum?: { algorithm: 'sha1' | 'sha256'; digest: Buffer };
  /**
   * Whether an error of the source means it was cut off (the client went away): what arrived is
   * then kept. Every source error by default; one it refuses fails the part (nothing kept).
   */
  isCutOff?: (error: unknown) => boolean;
  /** Aborting it ends the part as a cut-off does (what arrived is kept), even while the source is silent. */
  signal?: AbortSignal;
  /** Start a background flush each time this many more bytes are written (32 MiB by default). */
  earlyFlushBytes?: number;
}

/** What {@link appendToFile} kept. */
export interface AppendedPart {
  /** Bytes appended, written and flushed to disk (fdatasync): the file is `offset + bytes` long. */
  bytes: number;
  /** Set when the part ended early: the source's error, or `UPLOAD_ABORTED` for the signal. */
  cutOff?: unknown;
}

/**
 * Appends one part of a resumable upload to its file at `offset`, on the same path a whole upload
 * takes in `receiveToTemp`: one write in flight while the next chunks gather into one writev,
 * background flushes while a large part arrives, and the hash carried on (on the event loop,
 * or on a hashing worker that reads the part back from the page cache), so a part runs as fast
 * as a plain upload. Constant memory whatever the size. It resolves only once the kept bytes are
 * on disk and hashed, and never leaves a write in flight.
 *
 * A part cut off keeps what arrived (flushed, and hashed exactly that far). On a failure nothing
 * of the part is kept (the file is cut back to `offset`) and `hash` is discarded: hash the file
 * again with `RunningFileHash.ofFile` before the next part. A `Readable` source is never destroyed.
 *
 * @throws StorageError `UPLOAD_LENGTH_EXCEEDED`, `CHECKSUM_MISMATCH`, `UPLOAD_ABORTED` (a part with
 *   a checksum cut off), `STORAGE_FULL` (ENOSPC/EDQUOT); a source error `isCutOff` refuses, unchanged.
 * @example
 * const part = await appendToFile(request.raw, { path, offset, maxBytes: length - offset, hash });
 * if (part.cutOff === undefined && offset + part.bytes === length) sha256 = await hash.digest(path);
 */
export async function appendToFile(
  source: Readable | AsyncIterable<Uint8Array>,
  options: AppendToFileOptions,
): Promise<AppendedPart> {
  const {
    path,
    offset,
    maxBytes,
    hash,
    checksum,
    isCutOff = () => true,
    signal,
    earlyFlushBytes = DEFAULT_EARLY_FLUSH_BYTES,
  } = options;
  if (hash.bytes !== offset || hash.lost) {
    throw new Error(
      `the hash covers ${hash.bytes} bytes${hash.lost ? ' (lost)' : ''}, the part starts at ${offset}`,
    );
  }
  const partHash = checksum === undefined ? undefined : createHash(checksum.algorithm);
  const handle = await open(path, 'r+');
  const iterator = sourceIterator(source);
  let writer: BatchedFileWriter | undefined;
  let earlyFlush: EarlyFlush | undefined;
  let bytes = 0;
  let cutOff: unknown;
  let ended = false;
  try {
    // Bytes past the acknowledged offset (a part being written when the server died) were never
    // acknowledged: they go.
    await handle.truncate(offset);
    const hasher = hash.startPart(path);
    writer = new BatchedFileWriter(handle, hasher.written, offset);
    earlyFlush = new EarlyFlush(handle, earlyFlushBytes, offset);
    for (;;) {
      let result: IteratorResult<unknown>;
      try {
        result = await nextUnlessAborted(iterator, signal);
      } catch (error) {
        if (signal?.aborted !== true && !isCutOff(error)) throw error;
        cutOff = error;
        break;
      }
      if (result.done === true) {
        ended = true;
        break;
      }
      const chunk = asBytes(result.value);
      if (chunk.byteLength === 0) continue;
      if (bytes + chunk.byteLength > maxBytes) {
        throw new StorageError('UPLOAD_LENGTH_EXCEEDED', `only ${maxBytes} more bytes make up this file`);
      }
      hasher.update(chunk);
      partHash?.update(chunk);
      bytes += chunk.byteLength;
      await writer.write(chunk);
      earlyFlush.written(writer.submittedBytes);
      await hasher.catchUp(writer.submittedBytes);
    }
    await writer.finish();
    if (checksum !== undefined && cutOff !== undefined) {
      // A part cut off cannot be checked against its checksum: none of it counts.
      throw new StorageError('UPLOAD_ABORTED', 'the part was cut off before its checksum could be checked', {
        cause: cutOff,
      });
    }
    if (checksum !== undefined && !partHash!.digest().equals(checksum.digest)) {
      throw new StorageError(
        'CHECKSUM_MISMATCH',
        `the part does not match its ${checksum.algorithm} checksum`,
      );
    }
    // The flush and the end of the worker's hashing overlap.
    await Promise.all([
      bytes > 0 ? earlyFlush.done().then(() => handle.datasync()) : undefined,
      hasher.end(offset + bytes),
    ]);
  } catch (error) {
    // Nothing of this part counts: the next one starts again from `offset`, hashed again from the disk.
    hash.discard();
    await writer?.settle();
    await earlyFlush?.done().catch(() => undefined);
    await handle.truncate(offset).catch(() => undefined);
    throw diskFullAsStorageError(error, 'the part');
  } finally {
    await handle.close().catch(() => undefined);
    if (!ended) releaseSource(iterator);
  }
  return cutOff === undefined ? { bytes } : { bytes, cutOff };
}
