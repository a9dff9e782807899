import { describe, expect } from 'vitest';

import {
  enqueueJob,
  enqueueMissingThumbnailJobs,
  THUMBNAIL_JOB_KIND,
  type Database,
  type Kysely,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertMedia, recordQueries } from './helper.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');

async function jobsOf(db: Kysely<Database>, mediaId: string) {
  return db.selectFrom('jobs').selectAll().where('media_id', '=', mediaId).execute();
}

describe.each(databasesWithAliceAndBob)(
  'queueing the thumbnail jobs that are missing, on $label',
  ({ it }) => {
    it('adds a job for every pending item without one, in one statement, once', async ({
      db,
      alice,
      bob,
    }) => {
      const waiting = await insertMedia(db, alice.id);
      const trashed = await insertMedia(db, bob.id, { trashed_at: NOW });
      const ready = await insertMedia(db, alice.id, { thumbnail_status: 'ready' });
      const failed = await insertMedia(db, alice.id, { thumbnail_status: 'failed' });
      const unsupported = await insertMedia(db, alice.id, { thumbnail_status: 'unsupported' });
      const queued = await insertMedia(db, alice.id);
      const earlier = new Date('2026-11-20T00:00:00.000Z');
      const existing = await enqueueJob(db, { kind: THUMBNAIL_JOB_KIND, mediaId: queued.id, runAt: earlier });
      // A job of another kind does not count as the thumbnail job.
      const otherKind = await insertMedia(db, alice.id);
      await enqueueJob(db, { kind: 'media.reindex', mediaId: otherKind.id, runAt: earlier });

      const recorded = recordQueries(db);
      expect(await enqueueMissingThumbnailJobs(recorded.db, { now: NOW })).toBe(3);
      expect(recorded.queries).toHaveLength(1);
      expect(recorded.queries[0]!.sql).toMatch(/^insert into "jobs" .* select /);

      for (const media of [waiting, trashed]) {
        expect(await jobsOf(db, media.id)).toEqual([
          expect.objectContaining({
            kind: THUMBNAIL_JOB_KIND,
            status: 'pending',
            attempts: 0,
            run_at: NOW,
            created_at: NOW,
          }),
        ]);
      }
      for (const media of [ready, failed, unsupported]) expect(await jobsOf(db, media.id)).toEqual([]);
      expect(await jobsOf(db, queued.id)).toEqual([existing]);
      expect((await jobsOf(db, otherKind.id)).map((job) => job.kind).sort()).toEqual([
        'media.reindex',
        THUMBNAIL_JOB_KIND,
      ]);

      expect(await enqueueMissingThumbnailJobs(db, { now: NOW })).toBe(0);
    });
  },
);
