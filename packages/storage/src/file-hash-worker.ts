import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * SHA-256 of a file that is still being written, computed on a worker thread so the event loop
 * (HTTP parsing, other uploads) is not blocked by hashing: the writer reports how far the file
 * is written, the worker reads that part back from the page cache and hashes it.
 */
export interface FileHashJob {
  /** Bytes `[0, upTo)` are written: the worker may hash them. */
  written(upTo: number): void;
  /** Resolves once the worker has hashed at least `upTo` bytes; rejects if it failed. */
  hashedUpTo(upTo: number): Promise<void>;
  /** The hex digest once the first `size` bytes are hashed; the job is over. */
  finish(size: number): Promise<string>;
  /** Stops the job (the upload failed); the worker closes the file. */
  cancel(): void;
}

// Plain CommonJS for `eval`: a worker file would not exist when tests run the TypeScript sources.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { closeSync, openSync, readSync } = require('node:fs');
const { createHash } = require('node:crypto');
const buffer = Buffer.allocUnsafe(1024 * 1024);
let job;
function close() {
  if (job !== undefined) { try { closeSync(job.fd); } catch {} }
  job = undefined;
}
parentPort.on('message', (message) => {
  try {
    if (message.type === 'cancel') return job !== undefined && job.id === message.id ? close() : undefined;
    if (message.type === 'start') {
      close();
      job = { id: message.id, fd: openSync(message.path, 'r'), hash: createHash('sha256'), hashed: 0 };
      return;
    }
    if (job === undefined || job.id !== message.id) return;
    while (job.hashed < message.upTo) {
      const read = readSync(job.fd, buffer, 0, Math.min(buffer.length, message.upTo - job.hashed), job.hashed);
      if (read === 0) throw new Error('the temp file is shorter than what was written');
      job.hash.update(buffer.subarray(0, read));
      job.hashed += read;
    }
    if (message.type === 'end') {
      const hex = job.hash.digest('hex');
      close();
      parentPort.postMessage({ type: 'digest', id: message.id, hex });
    } else {
      parentPort.postMessage({ type: 'hashed', id: message.id, upTo: job.hashed });
    }
  } catch (error) {
    close();
    parentPort.postMessage({ type: 'error', id: message.id, message: String(error && error.message), code: error && error.code });
  }
});
`;

/** Replies carry the job id: a reply to a cancelled job must not reach the next one. */
type WorkerMessage =
  | { type: 'hashed'; id: number; upTo: number }
  | { type: 'digest'; id: number; hex: string }
  | { type: 'error'; id: number; message: string; code?: string };

/** Idle workers are ended after this long, so an idle server holds no extra isolates. */
const IDLE_MS = 30_000;

interface PooledWorker {
  worker: Worker;
  exited: boolean;
  onMessage?: (message: WorkerMessage) => void;
  onFailure?: (error: Error) => void;
  idleTimer?: NodeJS.Timeout;
}

class FileHashPool {
  readonly #idle: PooledWorker[] = [];
  #running = 0;
  #nextJobId = 1;

  constructor(readonly maxWorkers: number) {}

  /** A job on a free worker, or `undefined` when all are busy (the caller hashes inline). */
  start(path: string): FileHashJob | undefined {
    if (this.#running >= this.maxWorkers) return undefined;
    let pooled: PooledWorker;
    try {
      pooled = this.#idle.pop() ?? this.#spawn();
    } catch {
      return undefined; // no thread to be had (resource limits): hashing inline still works
    }
    this.#running++;
    clearTimeout(pooled.idleTimer);
    pooled.worker.ref();
    const id = this.#nextJobId++;
    pooled.worker.postMessage({ type: 'start', id, path });
    return this.#job(pooled, id);
  }

  #spawn(): PooledWorker {
    const pooled: PooledWorker = { worker: new Worker(WORKER_SOURCE, { eval: true }), exited: false };
    pooled.worker.on('message', (message: WorkerMessage) => pooled.onMessage?.(message));
    pooled.worker.on('error', (error) => pooled.onFailure?.(error));
    pooled.worker.on('exit', (code) => {
      pooled.exited = true;
      const index = this.#idle.indexOf(pooled);
      if (index >= 0) this.#idle.splice(index, 1);
      pooled.onFailure?.(new Error(`the hashing worker exited (${code})`));
    });
    return pooled;
  }

  #release(pooled: PooledWorker, healthy: boolean): void {
    this.#running--;
    pooled.onMessage = undefined;
    pooled.onFailure = undefined;
    if (!healthy || pooled.exited) {
      void pooled.worker.terminate();
      return;
    }
    pooled.worker.unref();
    pooled.idleTimer = setTimeout(() => {
      const index = this.#idle.indexOf(pooled);
      if (index >= 0) this.#idle.splice(index, 1);
      void pooled.worker.terminate();
    }, IDLE_MS).unref();
    this.#idle.push(pooled);
  }

  #job(pooled: PooledWorker, id: number): FileHashJob {
    let hashed = 0;
    let failure: Error | undefined;
    let done = false;
    let digest: ((hex: string) => void) | undefined;
    let waiters: Array<{ upTo: number; resolve: () => void; reject: (error: Error) => void }> = [];

    const fail = (error: Error) => {
      if (done) return;
      done = true;
      failure = error;
      for (const waiter of waiters) waiter.reject(error);
      waiters = [];
      this.#release(pooled, false);
    };
    pooled.onFailure = fail;
    pooled.onMessage = (message) => {
      if (message.id !== id) return;
      if (message.type === 'error')
        return fail(Object.assign(new Error(message.message), { code: message.code }));
      if (message.type === 'digest') {
        done = true;
        this.#release(pooled, true);
        return digest?.(message.hex);
      }
      hashed = message.upTo;
      waiters = waiters.filter((waiter) => (waiter.upTo <= hashed ? (waiter.resolve(), false) : true));
    };

    return {
      written(upTo) {
        if (!done) pooled.worker.postMessage({ type: 'written', id, upTo });
      },
      hashedUpTo(upTo) {
        if (failure !== undefined) return Promise.reject(failure);
        if (hashed >= upTo) return Promise.resolve();
        return new Promise((resolve, reject) => waiters.push({ upTo, resolve, reject }));
      },
      finish(size) {
        if (failure !== undefined) return Promise.reject(failure);
        return new Promise((resolve, reject) => {
          digest = resolve;
          waiters.push({ upTo: Number.POSITIVE_INFINITY, resolve: () => undefined, reject });
          pooled.worker.postMessage({ type: 'end', id, upTo: size });
        });
      },
      cancel: () => {
        if (done) return;
        done = true;
        pooled.worker.postMessage({ type: 'cancel', id });
        this.#release(pooled, true);
      },
    };
  }
}

let pool: FileHashPool | undefined;

/**
 * Starts hashing `path` on a pooled worker (one per upload in flight, up to one less than the
 * CPU count, at most 4), or returns `undefined` when none is free.
 */
export function startFileHash(path: string): FileHashJob | undefined {
  pool ??= new FileHashPool(Math.max(1, Math.min(4, availableParallelism() - 1)));
  return pool.start(path);
}
