import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HashReply, HashRequest } from './file-hash-thread.js';

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

/**
 * The worker's compiled file, beside this one in dist/. This package's own tests run its sources
 * (src/), where no .js file is: they take the one `build` made (turbo builds before it tests).
 */
const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? '../dist/file-hash-thread.js' : './file-hash-thread.js',
  import.meta.url,
);

function post(worker: Worker, message: HashRequest): void {
  worker.postMessage(message);
}

/** Idle workers are ended after this long, so an idle server holds no extra isolates. */
const IDLE_MS = 30_000;

interface PooledWorker {
  worker: Worker;
  exited: boolean;
  onMessage?: (message: HashReply) => void;
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
    post(pooled.worker, { type: 'start', id, path });
    return this.#job(pooled, id);
  }

  #spawn(): PooledWorker {
    const pooled: PooledWorker = { worker: new Worker(WORKER_URL), exited: false };
    pooled.worker.on('message', (message: HashReply) => pooled.onMessage?.(message));
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
        if (!done) post(pooled.worker, { type: 'written', id, upTo });
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
          post(pooled.worker, { type: 'end', id, upTo: size });
        });
      },
      cancel: () => {
        if (done) return;
        done = true;
        post(pooled.worker, { type: 'cancel', id });
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
