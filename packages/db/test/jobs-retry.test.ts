import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { claimDueJobs, completeJob, enqueueJob, failJob, type Job } from '../src/index.js';
import type { TestDatabase } from '../src/testing.js';
import { targets } from './helper.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe.each(targets)('finishing, retrying and giving up on jobs, on $label', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.create();
  });
  afterAll(() => database.destroy());

  async function claimOne(kind: string, now: Date): Promise<Job | undefined> {
    const [job] = await claimDueJobs(database.db, { kinds: [kind], limit: 1, now });
    return job;
  }

  it('retries at the given time until the attempts run out, then ends failed with the error', async () => {
    const { db } = database;
    await enqueueJob(db, { kind: 'retry.limit', maxAttempts: 3, runAt: NOW });

    let now = NOW;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const job = await claimOne('retry.limit', now);
      expect(job?.attempts).toBe(attempt);
      const retryAt = at(attempt * 60);
      const failed = await failJob(db, { id: job!.id, now, error: `boom ${attempt}`, retryAt });
      expect(failed).toMatchObject({
        status: 'pending',
        run_at: retryAt,
        locked_at: null,
        last_error: `boom ${attempt}`,
      });
      // Not due before its retry time.
      expect(await claimOne('retry.limit', new Date(retryAt.getTime() - 1))).toBeUndefined();
      now = retryAt;
    }

    const last = await claimOne('retry.limit', now);
    expect(last?.attempts).toBe(3);
    const gaveUp = await failJob(db, { id: last!.id, now, error: 'boom 3', retryAt: at(3600) });
    expect(gaveUp).toMatchObject({ status: 'failed', attempts: 3, last_error: 'boom 3', run_at: at(120) });
    expect(await claimOne('retry.limit', at(7200))).toBeUndefined();
  });

  it('gives up at once when no retry time is given', async () => {
    const { db } = database;
    await enqueueJob(db, { kind: 'no.retry', maxAttempts: 5, runAt: NOW });
    const job = await claimOne('no.retry', NOW);
    const failed = await failJob(db, { id: job!.id, now: NOW, error: 'not an image' });
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_error: 'not an image' });
  });

  it('completes a running job, and ignores a job that is not running', async () => {
    const { db } = database;
    const queued = await enqueueJob(db, { kind: 'to.complete', runAt: NOW });
    expect(await completeJob(db, { id: queued!.id, now: NOW })).toBe(false);
    expect(await failJob(db, { id: queued!.id, now: NOW, error: 'x' })).toBeUndefined();

    const job = await claimOne('to.complete', NOW);
    expect(await completeJob(db, { id: job!.id, now: at(5) })).toBe(true);
    const row = await db.selectFrom('jobs').selectAll().where('id', '=', job!.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'completed', locked_at: null, last_error: null, updated_at: at(5) });
    expect(await completeJob(db, { id: job!.id, now: at(6) })).toBe(false);
  });
});
