import { describe, expect } from 'vitest';

import {
  claimDueJobs,
  enqueueJob,
  findMediaJob,
  recoverInterruptedJobs,
  THUMBNAIL_JOB_KIND,
} from '../src/index.js';
import { databasesWithAlice } from './fixtures.js';
import { insertMedia } from './helper.js';

const CRASH = new Date('2026-11-21T10:00:00.000Z');
const RESTART = new Date('2026-11-21T10:05:00.000Z');

describe.each(databasesWithAlice)('recovering jobs a stopped server left running, on $label', ({ it }) => {
  it('requeues interrupted jobs, and fails those whose last attempt it was', async ({ db, alice }) => {
    const resumable = await insertMedia(db, alice.id);
    const exhausted = await insertMedia(db, alice.id);
    const untouched = await insertMedia(db, alice.id);
    await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: resumable.id, maxAttempts: 3, runAt: CRASH });
    await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: exhausted.id, maxAttempts: 1, runAt: CRASH });
    const claimed = await claimDueJobs(db, { kinds: [THUMBNAIL_JOB_KIND], limit: 10, now: CRASH });
    expect(claimed).toHaveLength(2);
    const waiting = await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: untouched.id, runAt: CRASH });

    expect(await recoverInterruptedJobs(db, { now: RESTART })).toEqual({ requeued: 1, failed: 1 });

    expect(await findMediaJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: resumable.id })).toMatchObject({
      status: 'pending',
      attempts: 1,
      run_at: RESTART,
      locked_at: null,
      last_error: expect.stringContaining('interrupted'),
    });
    expect(await findMediaJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: exhausted.id })).toMatchObject({
      status: 'failed',
      attempts: 1,
    });
    expect(await findMediaJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: untouched.id })).toEqual(waiting);

    const statuses = await db
      .selectFrom('media')
      .select(['id', 'thumbnail_status'])
      .where('id', 'in', [resumable.id, exhausted.id, untouched.id])
      .execute();
    expect(Object.fromEntries(statuses.map((row) => [row.id, row.thumbnail_status]))).toEqual({
      [resumable.id]: 'pending',
      [exhausted.id]: 'failed',
      [untouched.id]: 'pending',
    });

    expect(await recoverInterruptedJobs(db, { now: RESTART })).toEqual({ requeued: 0, failed: 0 });
    const resumed = await claimDueJobs(db, { kinds: [THUMBNAIL_JOB_KIND], limit: 10, now: RESTART });
    expect(resumed.map((job) => job.media_id).sort()).toEqual([resumable.id, untouched.id].sort());
  });
});
