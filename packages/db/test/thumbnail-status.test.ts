import { describe, expect } from 'vitest';

import {
  claimDueJobs,
  completeJob,
  enqueueJob,
  findMediaJob,
  findThumbnailSource,
  requestThumbnails,
  setThumbnailStatus,
  THUMBNAIL_JOB_KIND,
} from '../src/index.js';
import { databasesWithAlice } from './fixtures.js';
import { insertMedia } from './helper.js';

const T0 = new Date('2026-11-21T10:00:00.000Z');
const T1 = new Date('2026-11-21T12:00:00.000Z');
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

describe.each(databasesWithAlice)('thumbnail state of an item on $label', ({ it }) => {
  it('reads what rendering needs, for a trashed item too, and records the outcome', async ({ db, alice }) => {
    const media = await insertMedia(db, alice.id, {
      media_type: 'video',
      mime: 'video/quicktime',
      duration_ms: 1500,
      trashed_at: T0,
    });
    expect(await findThumbnailSource(db, media.id)).toEqual({
      id: media.id,
      user_id: alice.id,
      rel_path: media.rel_path,
      media_type: 'video',
      mime: 'video/quicktime',
      duration_ms: 1500,
      thumbnail_status: 'pending',
    });
    expect(await setThumbnailStatus(db, { mediaId: media.id, status: 'unsupported' })).toBe(true);
    expect((await findThumbnailSource(db, media.id))?.thumbnail_status).toBe('unsupported');

    expect(await findThumbnailSource(db, NO_SUCH_ID)).toBeUndefined();
    expect(await findThumbnailSource(db, 'not-a-uuid')).toBeUndefined();
    expect(await setThumbnailStatus(db, { mediaId: NO_SUCH_ID, status: 'ready' })).toBe(false);
  });

  it('asking again sets the item pending and resets its finished job, in one go', async ({ db, alice }) => {
    const media = await insertMedia(db, alice.id, { thumbnail_status: 'ready' });
    await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: media.id, runAt: T0 });
    const [job] = await claimDueJobs(db, { kinds: [THUMBNAIL_JOB_KIND], limit: 1, now: T0 });
    await completeJob(db, { id: job!.id, now: T0 });

    expect(await requestThumbnails(db, { mediaId: media.id, now: T1 })).toBe(true);
    expect((await findThumbnailSource(db, media.id))?.thumbnail_status).toBe('pending');
    expect(await findMediaJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: media.id })).toMatchObject({
      id: job!.id,
      status: 'pending',
      attempts: 0,
      run_at: T1,
    });

    // An item that never had a job gets one.
    const fresh = await insertMedia(db, alice.id, { thumbnail_status: 'failed' });
    expect(await requestThumbnails(db, { mediaId: fresh.id, now: T1 })).toBe(true);
    expect(await findMediaJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: fresh.id })).toMatchObject({
      status: 'pending',
    });

    expect(await requestThumbnails(db, { mediaId: NO_SUCH_ID, now: T1 })).toBe(false);
    expect(await db.selectFrom('jobs').select('id').where('media_id', '=', NO_SUCH_ID).execute()).toEqual([]);
  });
});
