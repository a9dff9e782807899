import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import {
  claimDueJobs,
  completeJob,
  enqueueJob,
  failJob,
  retryFailedThumbnailJobs,
  THUMBNAIL_JOB_KIND,
  type Database,
  type Kysely,
  type User,
} from '../src/index.js';
import { databases } from './fixtures.js';
import { insertMedia, insertUser } from './helper.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const LATER = new Date('2026-11-22T08:00:00.000Z');

describe.each(databases)('retrying failed thumbnails, on $label', ({ it }) => {
  let user: User;
  it.beforeEach(async ({ db }) => {
    await sql`truncate users cascade`.execute(db);
    user = await insertUser(db, { role: 'owner' });
  });

  /** An item whose thumbnail job ran and was given up on, as the runner leaves it. */
  async function failedItem(db: Kysely<Database>) {
    const media = await insertMedia(db, user.id, { thumbnail_status: 'failed' });
    await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: media.id, runAt: NOW });
    const [job] = await claimDueJobs(db, { kinds: [THUMBNAIL_JOB_KIND], limit: 1, now: NOW });
    await failJob(db, { id: job!.id, now: NOW, error: 'image/jpeg could not be decoded' });
    return media;
  }

  async function stateOf(db: Kysely<Database>, mediaId: string) {
    const media = await db
      .selectFrom('media')
      .select('thumbnail_status')
      .where('id', '=', mediaId)
      .executeTakeFirstOrThrow();
    const job = await db
      .selectFrom('jobs')
      .select(['status', 'attempts', 'last_error', 'run_at', 'locked_at'])
      .where('media_id', '=', mediaId)
      .where('kind', '=', THUMBNAIL_JOB_KIND)
      .executeTakeFirst();
    return { thumbnail: media.thumbnail_status, job };
  }

  it('requeues failed jobs as fresh ones and marks their items pending; leaves the rest alone', async ({
    db,
  }) => {
    const first = await failedItem(db);
    const second = await failedItem(db);
    const ready = await insertMedia(db, user.id, { thumbnail_status: 'ready' });
    await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: ready.id, runAt: NOW });
    const [readyJob] = await claimDueJobs(db, { kinds: [THUMBNAIL_JOB_KIND], limit: 1, now: NOW });
    await completeJob(db, { id: readyJob!.id, now: NOW });
    const waiting = await insertMedia(db, user.id);
    await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: waiting.id, runAt: NOW });
    const unsupported = await insertMedia(db, user.id, { thumbnail_status: 'unsupported' });
    // A failed job of another kind is not a thumbnail.
    await enqueueJob(db, { kind: 'other.work', runAt: NOW, maxAttempts: 1 });
    const [other] = await claimDueJobs(db, { kinds: ['other.work'], limit: 1, now: NOW });
    await failJob(db, { id: other!.id, now: NOW, error: 'nope' });

    expect(await retryFailedThumbnailJobs(db, { now: LATER })).toBe(2);

    for (const item of [first, second]) {
      expect(await stateOf(db, item.id)).toEqual({
        thumbnail: 'pending',
        job: { status: 'pending', attempts: 0, last_error: null, run_at: LATER, locked_at: null },
      });
    }
    expect((await stateOf(db, ready.id)).job?.status).toBe('completed');
    expect(await stateOf(db, waiting.id)).toMatchObject({
      thumbnail: 'pending',
      job: { status: 'pending', run_at: NOW },
    });
    expect(await stateOf(db, unsupported.id)).toEqual({ thumbnail: 'unsupported', job: undefined });
    const otherRow = await db
      .selectFrom('jobs')
      .select('status')
      .where('id', '=', other!.id)
      .executeTakeFirstOrThrow();
    expect(otherRow.status).toBe('failed');

    // The requeued jobs are due and claimable again; a second retry finds nothing to do.
    const claimed = await claimDueJobs(db, { kinds: [THUMBNAIL_JOB_KIND], limit: 10, now: LATER });
    expect(claimed.map((job) => job.media_id).sort()).toEqual([first.id, second.id, waiting.id].sort());
    expect(await retryFailedThumbnailJobs(db, { now: LATER })).toBe(0);
  });

  it('gives an item marked failed without a job (or with a finished one) a job', async ({ db }) => {
    const orphan = await insertMedia(db, user.id, { thumbnail_status: 'failed' });
    const finished = await insertMedia(db, user.id, { thumbnail_status: 'failed' });
    await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: finished.id, runAt: NOW });
    const [job] = await claimDueJobs(db, { kinds: [THUMBNAIL_JOB_KIND], limit: 1, now: NOW });
    await completeJob(db, { id: job!.id, now: NOW });

    expect(await retryFailedThumbnailJobs(db, { now: LATER })).toBe(2);
    for (const item of [orphan, finished]) {
      expect(await stateOf(db, item.id)).toMatchObject({
        thumbnail: 'pending',
        job: { status: 'pending', attempts: 0 },
      });
    }
  });
});
