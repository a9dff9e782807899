import { randomBytes } from 'node:crypto';
import { claimDueJobs, THUMBNAIL_JOB_KIND } from '@iclood/db';
import { describe, expect } from 'vitest';
import { rotatedJpeg } from './fixtures/pictures.js';
import { bearer, databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('the job queue in system status ($label)', (target) => {
  const it = serverTest(target).extend('queue', ({ server, owner }) => async () => {
    const response = await server.app.inject({ url: '/api/v1/system/status', headers: bearer(owner) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().data.jobs;
  });

  it('counts jobs waiting, running and given up on', async ({ server, owner, upload, queue }) => {
    expect(await queue()).toEqual({ pending: 0, running: 0, failed: 0 });

    await upload(owner, 'IMG_0001.JPG', await rotatedJpeg(32, 24, 1));
    await upload(owner, 'IMG_0002.JPG', await rotatedJpeg(32, 24, 2));
    await upload(
      owner,
      'broken.jpg',
      Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), randomBytes(2000)]),
    );
    expect(await queue()).toEqual({ pending: 3, running: 0, failed: 0 });

    // A job taken by a worker counts as running until it is finished.
    const [taken] = await claimDueJobs(server.database.db, {
      kinds: [THUMBNAIL_JOB_KIND],
      limit: 1,
      now: server.clock.now(),
    });
    expect(await queue()).toEqual({ pending: 2, running: 1, failed: 0 });
    await server.database.db
      .updateTable('jobs')
      .set({ status: 'pending' })
      .where('id', '=', taken!.id)
      .execute();

    await server.app.jobs.drain();
    expect(await queue()).toEqual({ pending: 0, running: 0, failed: 1 });
  });
});
