import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HashReply, HashRequest } from './file-hash-thread.js';

/** How far the hashing worker may trail the writes: close enough that it reads from the page cache. */
export const MAX_HASH_LAG_BYTES = 64 * 1024 * 1024;

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
  /**
   * Hashes the first `size` bytes, then lets go of the file and of the worker (which no longer
   * counts as busy) while keeping the hash state there, for {@link resume}: between the parts
   * of a resumable upload. Rejects if the job failed or its worker went away.
   */
  pause(size: number): Promise<void>;
  /**
   * Takes a paused job up again on its worker, hashing on from where it paused, reading `path`.
   * False when its state is gone (the worker ended: idle, crashed), or the job is not paused.
   */
  resume(path: string): boolean;
  /** Stops the job (the upload failed, or was abandoned); the worker forgets it. */
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

interface JobListener {
  onMessage(message: HashReply): void;
  onFailure(error: Error): void;
}

interface PooledWorker {
  worker: Worker;
  exited: boolean;
  /** The jobs (running or paused) whose state is on this worker, by id. */
  jobs: Map<number, JobListener>;
  /** How many of them are running: 0 means idle, even with paused jobs. */
  running: number;
  idleTimer?: NodeJS.Timeout;
}

class FileHashPool {
  readonly #idle: PooledWorker[] = [];
  #busy = 0;
  #nextJobId = 1;

  constructor(readonly maxWorkers: number) {}

  /** A job on a free worker, or `undefined` when all are busy (the caller hashes inline). */
  start(path: string): FileHashJob | undefined {
    if (this.#busy >= this.maxWorkers) return undefined;
    let pooled: PooledWorker;
    try {
      pooled = this.#idle.pop() ?? this.#spawn();
    } catch {
      return undefined; // no thread to be had (resource limits): hashing inline still works
    }
    const id = this.#nextJobId++;
    const job = this.#job(pooled, id);
    this.#activate(pooled);
    post(pooled.worker, { type: 'start', id, path });
    return job;
  }

  #spawn(): PooledWorker {
    const pooled: PooledWorker = {
      worker: new Worker(WORKER_URL),
      exited: false,
      jobs: new Map(),
      running: 0,
    };
    const failAll = (error: Error) => {
      for (const listener of [...pooled.jobs.values()]) listener.onFailure(error);
    };
    pooled.worker.on('message', (message: HashReply) => pooled.jobs.get(message.id)?.onMessage(message));
    pooled.worker.on('error', failAll);
    pooled.worker.on('exit', (code) => {
      pooled.exited = true;
      this.#forgetIdle(pooled);
      failAll(new Error(`the hashing worker exited (${code})`));
    });
    return pooled;
  }

  #forgetIdle(pooled: PooledWorker): void {
    clearTimeout(pooled.idleTimer);
    const index = this.#idle.indexOf(pooled);
    if (index >= 0) this.#idle.splice(index, 1);
  }

  /** One more job runs on `pooled`: it is busy (and keeps the process alive) until they all stop. */
  #activate(pooled: PooledWorker): void {
    if (pooled.running++ > 0) return;
    this.#busy++;
    this.#forgetIdle(pooled);
    pooled.worker.ref();
  }

  /** A job stopped running on `pooled` (ended or paused): an idle worker waits for the next, then ends. */
  #deactivate(pooled: PooledWorker): void {
    if (--pooled.running > 0) return;
    this.#busy--;
    if (pooled.exited) return;
    pooled.worker.unref();
    // Ending it loses the paused jobs' states: their next part hashes the file again from the disk.
    pooled.idleTimer = setTimeout(() => {
      this.#forgetIdle(pooled);
      void pooled.worker.terminate();
    }, IDLE_MS).unref();
    this.#idle.push(pooled);
  }

  #job(pooled: PooledWorker, id: number): FileHashJob {
    let state: 'running' | 'paused' | 'done' = 'running';
    let hashed = 0;
    let failure: Error | undefined;
    let digest: ((hex: string) => void) | undefined;
    let paused: (() => void) | undefined;
    let waiters: Array<{ upTo: number; resolve: () => void; reject: (error: Error) => void }> = [];

    const end = (next: 'paused' | 'done') => {
      const wasRunning = state === 'running';
      state = next;
      if (next === 'done') pooled.jobs.delete(id);
      if (wasRunning) this.#deactivate(pooled);
    };
    const fail = (error: Error) => {
      if (state === 'done') return;
      failure = error;
      end('done');
      for (const waiter of waiters) waiter.reject(error);
      waiters = [];
    };
    const waitFor = (upTo: number) => {
      if (failure !== undefined) return Promise.reject(failure);
      if (hashed >= upTo) return Promise.resolve();
      return new Promise<void>((resolve, reject) => waiters.push({ upTo, resolve, reject }));
    };
    pooled.jobs.set(id, {
      onFailure: fail,
      onMessage: (message) => {
        if (message.type === 'error') {
          return fail(Object.assign(new Error(message.message), { code: message.code }));
        }
        if (message.type === 'digest') {
          end('done');
          return digest?.(message.hex);
        }
        hashed = message.upTo;
        waiters = waiters.filter((waiter) => (waiter.upTo <= hashed ? (waiter.resolve(), false) : true));
        if (message.type === 'paused') {
          // Nothing is left to wait for but the pause itself (its waiter only hears failures).
          waiters = [];
          if (state === 'running') end('paused');
          paused?.();
        }
      },
    });
    const notRunning = () =>
      failure ?? new Error(state === 'paused' ? 'the hashing job is paused' : 'the hashing job is over');

    return {
      written(upTo) {
        if (state === 'running') post(pooled.worker, { type: 'written', id, upTo });
      },
      hashedUpTo: waitFor,
      finish(size) {
        if (state !== 'running') return Promise.reject(notRunning());
        return new Promise((resolve, reject) => {
          digest = resolve;
          waiters.push({ upTo: Number.POSITIVE_INFINITY, resolve: () => undefined, reject });
          post(pooled.worker, { type: 'end', id, upTo: size });
        });
      },
      pause(size) {
        if (state !== 'running') return Promise.reject(notRunning());
        return new Promise((resolve, reject) => {
          // Resolved by the worker's 'paused' (a 'hashed' reaching `size` is not enough: the
          // worker still has the file open).
          paused = resolve;
          waiters.push({ upTo: Number.POSITIVE_INFINITY, resolve: () => undefined, reject });
          post(pooled.worker, { type: 'pause', id, upTo: size });
        });
      },
      resume: (path) => {
        if (state !== 'paused' || pooled.exited) return false;
        state = 'running';
        this.#activate(pooled);
        post(pooled.worker, { type: 'resume', id, path });
        return true;
      },
      cancel: () => {
        if (state === 'done') return;
        post(pooled.worker, { type: 'cancel', id });
        fail(new Error('the hashing job was cancelled'));
      },
    };
  }
}

let pool: FileHashPool | undefined;

/**
 * Starts hashing `path` on a pooled worker (one per upload in flight, up to one less than the
 * CPU count, at most 4), or returns `undefined` when none is free. A paused job does not keep its
 * worker busy.
 */
export function startFileHash(path: string): FileHashJob | undefined {
  pool ??= new FileHashPool(Math.max(1, Math.min(4, availableParallelism() - 1)));
  return pool.start(path);
}
