import { describe, expect } from 'vitest';

import {
  claimDueJobs,
  completeJob,
  enqueueJob,
  failJob,
  type Database,
  type Job,
  type Kysely,
} from '../src/index.js';
import { databases } from './fixtures.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

describe.each(databases)('finishing, retrying and giving up on jobs, on $label', ({ it }) => {
  async function claimOne(db: Kysely<Database>, kind: string, now: Date): Promise<Job | undefined> {
    const [job] = await claimDueJobs(db, { kinds: [kind], limit: 1, now });
    return job;
  }

  it('retries at the given time until the attempts run out, then ends failed with the error', async ({
    db,
  }) => {
    await enqueueJob(db, { kind: 'retry.limit', maxAttempts: 3, runAt: NOW });

    let now = NOW;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const job = await claimOne(db, 'retry.limit', now);
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
      expect(await claimOne(db, 'retry.limit', new Date(retryAt.getTime() - 1))).toBeUndefined();
      now = retryAt;
    }

    const last = await claimOne(db, 'retry.limit', now);
    expect(last?.attempts).toBe(3);
    const gaveUp = await failJob(db, { id: last!.id, now, error: 'boom 3', retryAt: at(3600) });
    expect(gaveUp).toMatchObject({ status: 'failed', attempts: 3, last_error: 'boom 3', run_at: at(120) });
    expect(await claimOne(db, 'retry.limit', at(7200))).toBeUndefined();
  });

  it('gives up at once when no retry time is given', async ({ db }) => {
    await enqueueJob(db, { kind: 'no.retry', maxAttempts: 5, runAt: NOW });
    const job = await claimOne(db, 'no.retry', NOW);
    const failed = await failJob(db, { id: job!.id, now: NOW, error: 'not an image' });
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_error: 'not an image' });
  });

  it('completes a running job, and ignores a job that is not running', async ({ db }) => {
    const queued = await enqueueJob(db, { kind: 'to.complete', runAt: NOW });
    expect(await completeJob(db, { id: queued!.id, now: NOW })).toBe(false);
    expect(await failJob(db, { id: queued!.id, now: NOW, error: 'x' })).toBeUndefined();

    const job = await claimOne(db, 'to.complete', NOW);
    expect(await completeJob(db, { id: job!.id, now: at(5) })).toBe(true);
    const row = await db.selectFrom('jobs').selectAll().where('id', '=', job!.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'completed', locked_at: null, last_error: null, updated_at: at(5) });
    expect(await completeJob(db, { id: job!.id, now: at(6) })).toBe(false);
  });
});
