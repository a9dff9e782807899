import type { FileHandle } from 'node:fs/promises';

/** Bytes per write: large writes keep syscalls (and their thread-pool hops) rare. */
const WRITE_BATCH_BYTES = 1024 * 1024;
/** A batch of tiny chunks is flushed before it passes IOV_MAX buffers. */
const MAX_BATCH_CHUNKS = 1024;
/** How often a large file is flushed in the background while it is still arriving. */
export const DEFAULT_EARLY_FLUSH_BYTES = 32 * 1024 * 1024;

/**
 * Writes all of `buffers` at `position`, however short each writev comes back. Shortens the
 * array it is given (its buffers are not copied).
 */
export async function writeFully(handle: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
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
 * once, and chunks arriving meanwhile are gathered into one large writev (up to 1 MiB, and
 * under IOV_MAX buffers), so the disk works in the thread pool while the event loop hashes or
 * reads the socket, and syscalls stay few. Writes go on from `start` (a resumed upload's
 * offset); `onWritten` hears the file's end each time a write lands.
 */
export class BatchedFileWriter {
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #position: number;
  #inFlight: Promise<void> = Promise.resolve();
  #diskIdle = true;

  constructor(
    private readonly handle: FileHandle,
    private readonly onWritten?: (upTo: number) => void,
    start = 0,
  ) {
    this.#position = start;
  }

  /** Where the file ends once the writes started so far land (`start` + the bytes written or being written). */
  get submittedBytes(): number {
    return this.#position;
  }

  /** Hands `chunk` over (by reference); waits only when a full batch has to wait for the disk. */
  async write(chunk: Uint8Array): Promise<void> {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.byteLength;
    if (this.#diskIdle) return this.#startWrite();
    if (this.#pendingBytes >= WRITE_BATCH_BYTES || this.#pending.length >= MAX_BATCH_CHUNKS) {
      await this.#inFlight;
      this.#startWrite();
    }
  }

  /** Writes what is still gathered; resolves once every byte handed over is written. */
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

/**
 * Flushes a file that is still being written (fdatasync, in the background) each time
 * `everyBytes` more are written, at most one flush at a time, so the last flush has only the
 * tail left (bench/ingest: the last fdatasync of 1 GiB written without this took ~0.7 s here).
 */
export class EarlyFlush {
  #running: Promise<void> = Promise.resolve();
  #busy = false;
  #flushedFrom: number;

  constructor(
    private readonly handle: FileHandle,
    private readonly everyBytes: number,
    start = 0,
  ) {
    this.#flushedFrom = start;
  }

  /** The file is written up to `upTo`: starts a flush if enough came since the last one. */
  written(upTo: number): void {
    if (this.#busy || upTo - this.#flushedFrom < this.everyBytes) return;
    this.#flushedFrom = upTo;
    this.#busy = true;
    this.#running = this.handle.datasync().finally(() => (this.#busy = false));
    // Its failure (EIO, ENOSPC) is reported by done().
    this.#running.catch(() => undefined);
  }

  /** Resolves once the flush running (if any) is over; rejects if it failed. */
  done(): Promise<void> {
    return this.#running;
  }
}
