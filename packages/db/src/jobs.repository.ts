import { sql, type Kysely } from 'kysely';

import { inTransaction } from './in-transaction.js';
import type { Database, Job, JobStatus, JsonObject } from './schema.js';
import { isUuid } from './uuid.js';

/** The job that renders an item's thumbnails; one per item (the `jobs_kind_media_key` index). */
export const THUMBNAIL_JOB_KIND = 'thumbnail.generate';

/** Background work to persist. */
export interface NewJob {
  /** Dotted lowercase name, e.g. `thumbnail.generate`. */
  kind: string;
  /** The item the job is about: at most one job of a kind per item. */
  mediaId?: string | null;
  payload?: JsonObject;
  /** Default 3 (the column default). */
  maxAttempts?: number;
  /** When the job becomes due. */
  runAt: Date;
}

/** How many jobs wait, run, or were given up on. */
export type JobCounts = Record<Exclude<JobStatus, 'completed'>, number>;

/**
 * Queues a job. Idempotent per kind and item: when the item already has a job of this kind,
 * nothing is written and `undefined` comes back — unless `regenerate` is set and that job has
 * finished (`completed` or `failed`), in which case it is reset to a fresh `pending` job
 * (attempts 0, no error, due at `runAt`). A job still pending or running is left as it is: it
 * will produce what a new one would. Jobs without an item are always added.
 *
 * @example
 * await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId, runAt: now }, { regenerate: true });
 */
export async function enqueueJob(
  db: Kysely<Database>,
  job: NewJob,
  options: { regenerate?: boolean } = {},
): Promise<Job | undefined> {
  const { kind, mediaId = null, payload = {}, maxAttempts, runAt } = job;
  const insert = db.insertInto('jobs').values({
    kind,
    media_id: mediaId,
    payload,
    ...(maxAttempts === undefined ? {} : { max_attempts: maxAttempts }),
    run_at: runAt,
    created_at: runAt,
    updated_at: runAt,
  });
  if (mediaId === null) return insert.returningAll().executeTakeFirstOrThrow();
  return insert
    .onConflict((oc) => {
      // The partial unique index is only inferred when its predicate is repeated here.
      const target = oc.columns(['kind', 'media_id']).where('media_id', 'is not', null);
      if (!options.regenerate) return target.doNothing();
      return target
        .doUpdateSet((eb) => ({
          status: 'pending',
          payload: eb.ref('excluded.payload'),
          attempts: 0,
          run_at: eb.ref('excluded.run_at'),
          locked_at: null,
          last_error: null,
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .where('jobs.status', 'in', ['completed', 'failed']);
    })
    .returningAll()
    .executeTakeFirst();
}

/**
 * Queues the thumbnail job of every item still waiting for thumbnails (`thumbnail_status`
 * `pending`) that has none: items recorded before jobs existed, or whose job was lost. One
 * `INSERT … SELECT`, whatever the size of the library. Returns how many jobs were added.
 */
export async function enqueueMissingThumbnailJobs(
  db: Kysely<Database>,
  input: { now: Date },
): Promise<number> {
  const { now } = input;
  const result = await db
    .insertInto('jobs')
    .columns(['kind', 'media_id', 'run_at', 'created_at', 'updated_at'])
    .expression((eb) =>
      eb
        .selectFrom('media')
        .select([
          sql.lit(THUMBNAIL_JOB_KIND).as('kind'),
          'media.id',
          sql`${now}::timestamptz`.as('run_at'),
          sql`${now}::timestamptz`.as('created_at'),
          sql`${now}::timestamptz`.as('updated_at'),
        ])
        .where('media.thumbnail_status', '=', 'pending')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('jobs')
                .select(sql.lit(1).as('one'))
                .where('jobs.kind', '=', THUMBNAIL_JOB_KIND)
                .whereRef('jobs.media_id', '=', 'media.id'),
            ),
          ),
        ),
    )
    .onConflict((oc) => oc.columns(['kind', 'media_id']).where('media_id', 'is not', null).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * Takes up to `limit` due jobs of the given kinds (status `pending`, `run_at` ≤ `now`), oldest
 * first, and marks them `running` (attempts + 1, `locked_at` = `now`) in one statement. Rows
 * another worker is claiming are skipped (`FOR UPDATE SKIP LOCKED`), so concurrent claimers
 * never get the same job.
 *
 * @example
 * for (const job of await claimDueJobs(db, { kinds: ['thumbnail.generate'], limit: 2, now })) run(job);
 */
export async function claimDueJobs(
  db: Kysely<Database>,
  input: { kinds: readonly string[]; limit: number; now: Date },
): Promise<Job[]> {
  const { kinds, limit, now } = input;
  if (kinds.length === 0 || limit < 1) return [];
  const claimed = await db
    .with('due', (qb) =>
      qb
        .selectFrom('jobs')
        .select('id')
        .where('status', '=', 'pending')
        .where('run_at', '<=', now)
        .where('kind', 'in', [...kinds])
        .orderBy('run_at')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .updateTable('jobs')
    .from('due')
    .set((eb) => ({
      status: 'running',
      attempts: eb('jobs.attempts', '+', 1),
      locked_at: now,
      updated_at: now,
    }))
    .whereRef('jobs.id', '=', 'due.id')
    .returningAll('jobs')
    .execute();
  return claimed.sort((a, b) => a.run_at.getTime() - b.run_at.getTime() || a.id.localeCompare(b.id));
}

/** Marks a running job done. False when it is no longer running (deleted with its item, say). */
export async function completeJob(db: Kysely<Database>, input: { id: string; now: Date }): Promise<boolean> {
  const result = await db
    .updateTable('jobs')
    .set({ status: 'completed', locked_at: null, last_error: null, updated_at: input.now })
    .where('id', '=', input.id)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Records a failed run of a running job. With `retryAt`, and attempts left, the job goes back
 * to `pending`, due at `retryAt`; otherwise (no `retryAt`: retrying cannot help, or the last
 * attempt failed) it ends `failed`. Either way `last_error` keeps `error`. Returns the job as it
 * now is (its `status` says which happened), or `undefined` when it was no longer running.
 */
export async function failJob(
  db: Kysely<Database>,
  input: { id: string; now: Date; error: string; retryAt?: Date },
): Promise<Job | undefined> {
  const { id, now, error, retryAt } = input;
  const retry = retryAt === undefined ? sql<boolean>`false` : sql<boolean>`jobs.attempts < jobs.max_attempts`;
  return db
    .updateTable('jobs')
    .set({
      status: sql`case when ${retry} then 'pending' else 'failed' end`,
      run_at:
        retryAt === undefined
          ? sql`jobs.run_at`
          : sql`case when ${retry} then ${retryAt}::timestamptz else jobs.run_at end`,
      locked_at: null,
      last_error: error.slice(0, 2000),
      updated_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .returningAll()
    .executeTakeFirst();
}

/**
 * After a start: jobs left `running` by a process that died are requeued (due at `now`), or end
 * `failed` when that run was their last attempt — a job that kills the process every time must
 * not loop across restarts. An item whose thumbnail job has ended `failed` but which still says
 * `pending` is marked `failed` too. One transaction.
 */
export async function recoverInterruptedJobs(
  db: Kysely<Database>,
  input: { now: Date },
): Promise<{ requeued: number; failed: number }> {
  const { now } = input;
  return inTransaction(db, async (trx) => {
    const rows = await trx
      .updateTable('jobs')
      .set({
        status: sql`case when attempts < max_attempts then 'pending' else 'failed' end`,
        run_at: sql`case when attempts < max_attempts then ${now}::timestamptz else run_at end`,
        locked_at: null,
        last_error: 'interrupted: the server stopped while the job was running',
        updated_at: now,
      })
      .where('status', '=', 'running')
      .returning('status')
      .execute();
    await trx
      .updateTable('media')
      .set({ thumbnail_status: 'failed' })
      .where('thumbnail_status', '=', 'pending')
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('jobs')
            .select(sql.lit(1).as('one'))
            .where('jobs.kind', '=', THUMBNAIL_JOB_KIND)
            .where('jobs.status', '=', 'failed')
            .whereRef('jobs.media_id', '=', 'media.id'),
        ),
      )
      .execute();
    const failed = rows.filter((row) => row.status === 'failed').length;
    return { requeued: rows.length - failed, failed };
  });
}

/**
 * Gives failed thumbnails another chance (the original was replaced on disk, a decoder arrived):
 * every thumbnail job given up on becomes a fresh pending job (attempts 0, no error, due at
 * `now`), every item marked `failed` goes back to `pending`, and such an item without a job gets
 * one. One transaction. Returns how many jobs were requeued; run the job runner to take them.
 *
 * @example
 * const requeued = await retryFailedThumbnailJobs(db, { now }); // then runner.wake()
 */
export async function retryFailedThumbnailJobs(db: Kysely<Database>, input: { now: Date }): Promise<number> {
  const { now } = input;
  return inTransaction(db, async (trx) => {
    const reset = await trx
      .updateTable('jobs')
      .set({
        status: 'pending',
        attempts: 0,
        run_at: now,
        locked_at: null,
        last_error: null,
        updated_at: now,
      })
      .where('kind', '=', THUMBNAIL_JOB_KIND)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'failed'),
          // A finished job of an item still marked failed (not written by this server, but cheap to mend).
          eb.and([
            eb('status', '=', 'completed'),
            eb.exists(
              eb
                .selectFrom('media')
                .select(sql.lit(1).as('one'))
                .whereRef('media.id', '=', 'jobs.media_id')
                .where('media.thumbnail_status', '=', 'failed'),
            ),
          ]),
        ]),
      )
      .executeTakeFirst();
    await trx
      .updateTable('media')
      .set({ thumbnail_status: 'pending' })
      .where('thumbnail_status', '=', 'failed')
      .execute();
    const added = await enqueueMissingThumbnailJobs(trx, { now });
    return Number(reset.numUpdatedRows) + added;
  });
}

/**
 * Jobs waiting, running and given up on, for system/status; each is present, 0 when none.
 * Completed jobs (one per item, kept so enqueueing stays idempotent) are not counted: only the
 * three small sets are read, through `jobs_status_idx`.
 */
export async function countJobsByStatus(db: Kysely<Database>): Promise<JobCounts> {
  const rows = await db
    .selectFrom('jobs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
    .where('status', 'in', ['pending', 'running', 'failed'])
    .groupBy('status')
    .execute();
  const counts: JobCounts = { pending: 0, running: 0, failed: 0 };
  for (const row of rows) if (row.status !== 'completed') counts[row.status] = Number(row.count);
  return counts;
}

/** The job of a kind for an item, if any. */
export async function findMediaJob(
  db: Kysely<Database>,
  query: { kind: string; mediaId: string },
): Promise<Job | undefined> {
  if (!isUuid(query.mediaId)) return undefined;
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('kind', '=', query.kind)
    .where('media_id', '=', query.mediaId)
    .executeTakeFirst();
}
