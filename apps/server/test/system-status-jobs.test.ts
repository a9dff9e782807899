import { randomBytes } from 'node:crypto';
import { claimDueJobs, THUMBNAIL_JOB_KIND } from '@iclood/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotatedJpeg } from './fixtures/pictures.js';
import { bearer, databaseTargets, setupOwner, startTestServer, type TestServer } from './helper.js';

describe.each(databaseTargets)('the job queue in system status ($label)', (target) => {
  let server: TestServer;
  let owner: string;

  const queue = async () => {
    const response = await server.app.inject({ url: '/api/v1/system/status', headers: bearer(owner) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().data.jobs;
  };

  async function upload(filename: string, data: Buffer) {
    const response = await server.app.inject({
      method: 'POST',
      url: `/api/v1/media/upload?filename=${filename}`,
      headers: bearer(owner),
      payload: data,
    });
    expect(response.statusCode, response.body).toBe(201);
  }

  beforeAll(async () => {
    server = await startTestServer(target);
    owner = await setupOwner(server.app);
  });
  afterAll(() => server.close());

  it('counts jobs waiting, running and given up on', async () => {
    expect(await queue()).toEqual({ pending: 0, running: 0, failed: 0 });

    await upload('IMG_0001.JPG', await rotatedJpeg(32, 24, 1));
    await upload('IMG_0002.JPG', await rotatedJpeg(32, 24, 2));
    await upload('broken.jpg', Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1]), randomBytes(2000)]));
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
