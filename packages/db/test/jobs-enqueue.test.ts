import { describe, expect } from 'vitest';

import { enqueueJob, findMediaJob, THUMBNAIL_JOB_KIND } from '../src/index.js';
import { databasesWithAlice } from './fixtures.js';
import { insertMedia } from './helper.js';

const T0 = new Date('2026-11-21T10:00:00.000Z');
const LATER = new Date('2026-11-21T11:00:00.000Z');

describe.each(databasesWithAlice)('enqueueing jobs on $label', ({ it }) => {
  it('queues one job per kind and item: a second enqueue writes nothing', async ({ db, alice }) => {
    const media = await insertMedia(db, alice.id);
    const first = await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: media.id, runAt: T0 });
    expect(first).toMatchObject({
      kind: THUMBNAIL_JOB_KIND,
      media_id: media.id,
      status: 'pending',
      attempts: 0,
      max_attempts: 3,
      run_at: T0,
      created_at: T0,
      payload: {},
      last_error: null,
    });

    const again = await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: media.id, runAt: LATER });
    expect(again).toBeUndefined();
    expect(await findMediaJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: media.id })).toEqual(first);

    // Another kind for the same item is another job.
    const other = await enqueueJob(db, { kind: 'media.reindex', mediaId: media.id, runAt: T0 });
    expect(other?.id).toBeDefined();
    expect(other?.id).not.toBe(first?.id);
  });

  it('regenerating resets a finished job and leaves a pending or running one alone', async ({
    db,
    alice,
  }) => {
    for (const status of ['completed', 'failed'] as const) {
      const media = await insertMedia(db, alice.id);
      const job = await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: media.id, runAt: T0 });
      await db
        .updateTable('jobs')
        .set({ status, attempts: 3, last_error: 'boom', locked_at: T0 })
        .where('id', '=', job!.id)
        .execute();

      const reset = await enqueueJob(
        db,
        { kind: THUMBNAIL_JOB_KIND, mediaId: media.id, runAt: LATER },
        { regenerate: true },
      );
      expect(reset, status).toMatchObject({
        id: job!.id,
        status: 'pending',
        attempts: 0,
        last_error: null,
        locked_at: null,
        run_at: LATER,
        created_at: T0,
      });
    }

    for (const status of ['pending', 'running'] as const) {
      const media = await insertMedia(db, alice.id);
      const job = await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: media.id, runAt: T0 });
      await db.updateTable('jobs').set({ status, attempts: 1 }).where('id', '=', job!.id).execute();
      const kept = await enqueueJob(
        db,
        { kind: THUMBNAIL_JOB_KIND, mediaId: media.id, runAt: LATER },
        { regenerate: true },
      );
      expect(kept, status).toBeUndefined();
      expect(await findMediaJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: media.id }), status).toMatchObject({
        status,
        attempts: 1,
        run_at: T0,
      });
    }
  });

  it('always adds a job that is about no item, with its payload and attempt limit', async ({ db }) => {
    const a = await enqueueJob(db, { kind: 'trash.purge', payload: { days: 30 }, maxAttempts: 5, runAt: T0 });
    const b = await enqueueJob(db, { kind: 'trash.purge', runAt: T0 });
    expect(a).toMatchObject({ media_id: null, payload: { days: 30 }, max_attempts: 5 });
    expect(b?.id).not.toBe(a?.id);
  });

  it('refuses a kind that is not a dotted lowercase name', async ({ db }) => {
    await expect(enqueueJob(db, { kind: 'Thumbnail Generate', runAt: T0 })).rejects.toMatchObject({
      code: '23514',
    });
  });
});
