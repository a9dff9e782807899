import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { MAX_HASH_LAG_BYTES, startFileHash, type FileHashJob } from './file-hash-worker.js';

/**
 * How one part of an append is hashed: by {@link RunningFileHash.startPart}. A hash that cannot
 * go on (its worker ended) is marked lost rather than failing the part: the bytes still count,
 * and the next part hashes the file again from the disk.
 */
export interface PartHasher {
  /** A chunk about to be written (hashed here when the hash runs on the event loop). */
  update(chunk: Uint8Array): void;
  /** The file is written up to `upTo` (the worker may read that far). */
  written(upTo: number): void;
  /** Waits until the worker trails the writes by no more than the allowed lag. */
  catchUp(submitted: number): Promise<void>;
  /** The part ended with the file `size` bytes long: the hash covers exactly that, and waits for the next part. */
  end(size: number): Promise<void>;
}

/**
 * The SHA-256 of a file's first `bytes` bytes, carried from one {@link appendToFile} to the next
 * (the parts of a resumable upload), so the file is never read again to hash it. Either the hash
 * runs on the event loop, or its state lives in a hashing worker between parts (a paused job,
 * which does not keep the worker busy), which reads each part back from the page cache right
 * behind the writes. If that worker ends (idle, crashed), the hash is {@link lost}: build a new
 * one with {@link ofFile}.
 */
export class RunningFileHash {
  #bytes: number;
  #lost = false;

  private constructor(
    bytes: number,
    private readonly inline: Hash | undefined,
    private readonly job: FileHashJob | undefined,
  ) {
    this.#bytes = bytes;
  }

  /**
   * The hash of the first `bytes` bytes of `path`, read from the disk (after a restart, or once a
   * part failed). With `onWorker`, on a hashing worker when one is free, and the parts appended
   * later are hashed there too; otherwise on the event loop, streaming.
   *
   * @throws Error when the file has fewer than `bytes` bytes.
   * @example
   * const hash = await RunningFileHash.ofFile(path, row.received_bytes, { onWorker: true });
   */
  static async ofFile(
    path: string,
    bytes: number,
    options: { onWorker?: boolean } = {},
  ): Promise<RunningFileHash> {
    const job = options.onWorker === true ? startFileHash(path) : undefined;
    if (job !== undefined) {
      job.written(bytes);
      try {
        await job.pause(bytes);
        return new RunningFileHash(bytes, undefined, job);
      } catch {
        // The worker failed or went away (or the file is short): the event loop says which.
        job.cancel();
      }
    }
    const hash = createHash('sha256');
    let read = 0;
    if (bytes > 0) {
      for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1 })) {
        hash.update(chunk as Buffer);
        read += (chunk as Buffer).byteLength;
      }
    }
    if (read !== bytes) throw new Error(`${path} has ${read} bytes, not ${bytes}`);
    return new RunningFileHash(bytes, hash, undefined);
  }

  /** How many leading bytes of the file the hash covers. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True once the hash cannot go on (its worker ended, or it was discarded). */
  get lost(): boolean {
    return this.#lost;
  }

  /**
   * The hex digest of the first {@link bytes} bytes of `path`; the hash is then used up. A lost
   * hash is made again from the disk first.
   */
  async digest(path: string): Promise<string> {
    if (!this.#lost && this.inline !== undefined) {
      this.#lost = true;
      return this.inline.digest('hex');
    }
    if (!this.#lost && this.job?.resume(path) === true) {
      this.#lost = true;
      const hex = await this.job.finish(this.#bytes).catch(() => undefined);
      if (hex !== undefined) return hex;
    }
    this.discard();
    return (await RunningFileHash.ofFile(path, this.#bytes)).digest(path);
  }

  /** Lets the hash go (the part failed, the upload was abandoned): its worker forgets it. */
  discard(): void {
    this.#lost = true;
    this.job?.cancel();
  }

  /**
   * Starts hashing a part appended to `path` at {@link bytes}. Internal to {@link appendToFile}.
   *
   * @internal
   */
  startPart(path: string): PartHasher {
    const job = this.#lost ? undefined : this.job;
    const running = job?.resume(path) === true;
    if (job !== undefined && !running) this.#lost = true;
    const lose = () => {
      this.#lost = true;
      job?.cancel();
    };
    return {
      update: (chunk) => {
        if (this.inline === undefined || this.#lost) return;
        this.inline.update(chunk);
        this.#bytes += chunk.byteLength;
      },
      written: (upTo) => {
        if (running && !this.#lost) job.written(upTo);
      },
      catchUp: async (submitted) => {
        if (!running || this.#lost || submitted <= MAX_HASH_LAG_BYTES) return;
        await job.hashedUpTo(submitted - MAX_HASH_LAG_BYTES).catch(lose);
      },
      end: async (size) => {
        if (this.#lost) return;
        if (running) {
          await job.pause(size).then(() => (this.#bytes = size), lose);
        } else if (this.#bytes !== size) {
          lose();
        }
      },
    };
  }
}
