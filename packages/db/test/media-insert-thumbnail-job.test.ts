import { describe, expect } from 'vitest';

import { insertMedia, THUMBNAIL_JOB_KIND, type Database, type Kysely } from '../src/index.js';
import { databasesWithAlice } from './fixtures.js';
import { newMedia, sha256Of } from './helper.js';

class Rollback extends Error {}

async function thumbnailJobs(db: Kysely<Database>, mediaId: string) {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('kind', '=', THUMBNAIL_JOB_KIND)
    .where('media_id', '=', mediaId)
    .execute();
}

describe.each(databasesWithAlice)('a recorded item gets its thumbnail job, on $label', ({ it }) => {
  it('queues exactly one job, due when the item was uploaded, and none for a duplicate', async ({
    db,
    alice,
  }) => {
    const uploadedAt = new Date('2026-11-21T10:00:00.000Z');
    const sha256 = sha256Of('one job');
    const created = await insertMedia(db, newMedia(alice.id, { sha256, uploadedAt }));
    const duplicate = await insertMedia(db, newMedia(alice.id, { sha256, uploadedAt }));
    expect(created.status).toBe('created');
    expect(duplicate.status).toBe('duplicate');

    const jobs = await thumbnailJobs(db, created.media.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ status: 'pending', attempts: 0, run_at: uploadedAt, payload: {} });
    expect(created.media.thumbnail_status).toBe('pending');
  });

  it('queues one job for the one row that ten racing inserts create', async ({ db, alice }) => {
    const sha256 = sha256Of('racing jobs');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => insertMedia(db, newMedia(alice.id, { sha256 }))),
    );
    const id = results.find((result) => result.status === 'created')!.media.id;
    expect(await thumbnailJobs(db, id)).toHaveLength(1);
    const total = await db
      .selectFrom('jobs')
      .innerJoin('media', 'media.id', 'jobs.media_id')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('media.sha256', '=', sha256)
      .executeTakeFirstOrThrow();
    expect(Number(total.count)).toBe(1);
  });

  it('rolls the job back with the row inside a caller’s transaction', async ({ db, alice }) => {
    const input = newMedia(alice.id);
    let mediaId: string | undefined;
    await expect(
      db.transaction().execute(async (trx) => {
        const result = await insertMedia(trx, input);
        mediaId = result.media.id;
        expect(await thumbnailJobs(trx, mediaId)).toHaveLength(1);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(await thumbnailJobs(db, mediaId!)).toEqual([]);
  });
});
