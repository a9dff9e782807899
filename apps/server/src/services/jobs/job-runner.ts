// Runs the persisted jobs (the `jobs` table) in the background: a few at a time, each claimed
// atomically, retried with backoff up to its attempt limit, and never lost to a restart (the
// rows stay; the start-up recovery requeues what was running).
// Kept rather than pg-boss or graphile-worker: those need a real PostgreSQL server (LISTEN/NOTIFY,
// their own schema and pool) and the embedded PGlite is one in-process session; this runner is one
// table both databases share, and it yields to uploads in progress (tests: jobs-*).
import type { FastifyBaseLogger } from 'fastify';
import { claimDueJobs, completeJob, failJob, type Database, type Job, type Kysely } from '@iclood/db';

/** What runs the jobs of one kind. */
export interface JobHandler {
  /**
   * Does the work. Throwing fails this attempt: it is retried later unless the error says
   * `retryable: false` (retrying cannot help) or it was the last attempt.
   */
  run(job: Job): Promise<void>;
  /** Runs in the transaction that gives up on the job, to record the failure where it belongs. */
  gaveUp?(trx: Kysely<Database>, job: Job, error: unknown): Promise<void>;
}

export interface JobRunnerOptions {
  db: Kysely<Database>;
  now: () => Date;
  log: FastifyBaseLogger;
  /** Jobs run at once (default 1). */
  concurrency?: number;
  /** How often to look for due jobs when nothing wakes the runner (default 2 s). */
  pollIntervalMs?: number;
  /** Delay before retry number `attempt` (1 after the first failure): default 30 s × 4^(attempt−1). */
  retryDelayMs?: (attempt: number) => number;
  /**
   * While this says true, no new job starts (running ones finish; `drain()` still works): the
   * server gives way to uploads, so a phone's backup is not slowed by thumbnails on a 2-core Pi.
   * Call `wake()` when it turns false.
   */
  yieldTo?: () => boolean;
}

const defaultRetryDelay = (attempt: number): number => 30_000 * 4 ** (attempt - 1);

function isRetryable(error: unknown): boolean {
  return (error as { retryable?: unknown } | undefined)?.retryable !== false;
}

/**
 * @example
 * const runner = new JobRunner({ db, now, log, concurrency: 2 });
 * runner.register('thumbnail.generate', handler);
 * runner.start();
 * await runner.drain(); // tests: until nothing is due
 * await runner.stop();  // shutdown: waits for running jobs
 */
export class JobRunner {
  readonly #db: Kysely<Database>;
  readonly #now: () => Date;
  readonly #log: FastifyBaseLogger;
  readonly #concurrency: number;
  readonly #pollIntervalMs: number;
  readonly #retryDelayMs: (attempt: number) => number;
  readonly #yieldTo: () => boolean;
  readonly #handlers = new Map<string, JobHandler>();
  readonly #active = new Set<Promise<void>>();
  #started = false;
  #paused = false;
  #stopped = false;
  #pumping = false;
  #wakeAgain = false;
  #timer: NodeJS.Timeout | undefined;
  #pumpRun: Promise<void> = Promise.resolve();
  #drainers: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(options: JobRunnerOptions) {
    this.#db = options.db;
    this.#now = options.now;
    this.#log = options.log;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    this.#pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.#retryDelayMs = options.retryDelayMs ?? defaultRetryDelay;
    this.#yieldTo = options.yieldTo ?? (() => false);
  }

  /** Who runs jobs of `kind`; jobs of kinds nobody registered are left in the table. */
  register(kind: string, handler: JobHandler): void {
    this.#handlers.set(kind, handler);
  }

  /** Starts polling (unless paused) and takes what is due now. */
  start(): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#timer = setInterval(() => this.wake(), this.#pollIntervalMs);
    this.#timer.unref();
    this.wake();
  }

  /** Stops taking new jobs until `resume()`; running ones finish. `drain()` still works. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.wake();
  }

  /** Looks for due jobs now, e.g. right after one was queued, instead of at the next poll. */
  wake(): void {
    void this.look();
  }

  /**
   * Looks for due jobs now and resolves when that look is over (the jobs it started may still be
   * running): tests wait on it where they would otherwise wait for a poll to go by.
   */
  look(): Promise<void> {
    return this.#pump();
  }

  /** Jobs running right now. */
  get running(): number {
    return this.#active.size;
  }

  /**
   * Runs jobs (even while paused) until none is due at the clock's `now` and none is running.
   * Rejects if the queue cannot be read.
   */
  drain(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#drainers.push({ resolve, reject });
      this.wake();
    });
  }

  /** Takes no more work and waits for the jobs running now. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    // A look at the queue already under way may still launch the jobs it claimed: wait for it
    // first, or those jobs would run on a closed database.
    await this.#pumpRun;
    while (this.#active.size > 0) await Promise.allSettled([...this.#active]);
    this.#settleDrainers();
  }

  #takingWork(): boolean {
    return (
      !this.#stopped && (this.#drainers.length > 0 || (this.#started && !this.#paused && !this.#yieldTo()))
    );
  }

  #pump(): Promise<void> {
    if (this.#pumping) {
      this.#wakeAgain = true;
      return this.#pumpRun;
    }
    this.#pumping = true;
    this.#pumpRun = this.#pumpOnce();
    return this.#pumpRun;
  }

  async #pumpOnce(): Promise<void> {
    let idle = false;
    try {
      do {
        this.#wakeAgain = false;
        while (this.#takingWork() && this.#active.size < this.#concurrency) {
          const jobs = await claimDueJobs(this.#db, {
            kinds: [...this.#handlers.keys()],
            limit: this.#concurrency - this.#active.size,
            now: this.#now(),
          });
          for (const job of jobs) this.#launch(job);
          if (jobs.length === 0) break;
        }
      } while (this.#wakeAgain && this.#takingWork());
      idle = this.#active.size === 0;
    } catch (error) {
      this.#log.error({ err: error }, 'could not read the job queue; trying again at the next poll');
      for (const drainer of this.#drainers.splice(0)) drainer.reject(error);
    } finally {
      this.#pumping = false;
    }
    if (idle) this.#settleDrainers();
  }

  #settleDrainers(): void {
    if (this.#active.size > 0) return;
    for (const drainer of this.#drainers.splice(0)) drainer.resolve();
  }

  #launch(job: Job): void {
    const running: Promise<void> = this.#execute(job).finally(() => {
      this.#active.delete(running);
      this.wake();
    });
    this.#active.add(running);
  }

  async #execute(job: Job): Promise<void> {
    const handler = this.#handlers.get(job.kind)!;
    const log = this.#log.child({ jobId: job.id, kind: job.kind, mediaId: job.media_id ?? undefined });
    try {
      await handler.run(job);
    } catch (error) {
      await this.#recordFailure(job, handler, error, log);
      return;
    }
    try {
      await completeJob(this.#db, { id: job.id, now: this.#now() });
    } catch (error) {
      // The job stays `running`; the start-up recovery requeues it after a restart.
      log.error({ err: error }, 'could not mark a finished job completed');
    }
  }

  async #recordFailure(job: Job, handler: JobHandler, error: unknown, log: FastifyBaseLogger): Promise<void> {
    const now = this.#now();
    const message = error instanceof Error ? error.message : String(error);
    const retryAt = isRetryable(error)
      ? new Date(now.getTime() + this.#retryDelayMs(job.attempts))
      : undefined;
    try {
      const failed = await this.#db.transaction().execute(async (trx) => {
        const updated = await failJob(trx, { id: job.id, now, error: message, retryAt });
        if (updated?.status === 'failed') await handler.gaveUp?.(trx, updated, error);
        return updated;
      });
      if (failed?.status === 'failed') {
        log.warn({ err: error, attempts: job.attempts }, 'job failed for good');
      } else if (failed) {
        log.warn({ err: error, attempts: job.attempts, retryAt: failed.run_at }, 'job failed; will retry');
      }
    } catch (dbError) {
      log.error({ err: dbError, jobError: message }, 'could not record a failed job');
    }
  }
}
