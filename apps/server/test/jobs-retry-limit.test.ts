import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { rotatedJpeg } from './fixtures/pictures.js';
import { bearer, databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('a job that keeps failing ($label)', (target) => {
  const it = serverTest(target)
    .extend(
      'job',
      ({ server }) =>
        (mediaId: string) =>
          server.database.db
            .selectFrom('jobs')
            .select(['status', 'attempts', 'run_at', 'last_error'])
            .where('media_id', '=', mediaId)
            .executeTakeFirstOrThrow(),
    )
    .extend(
      'thumbnailCode',
      ({ server, owner }) =>
        async (id: string) =>
          (await server.app.inject({ url: `/api/v1/media/${id}/thumbnail`, headers: bearer(owner) })).json()
            .error?.code,
    );

  it('is retried with growing delays up to its limit, then the item is marked failed', async ({
    server,
    owner,
    job,
    thumbnailCode,
  }) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload?filename=IMG_0001.JPG',
      headers: bearer(owner),
      payload: await rotatedJpeg(40, 30),
    });
    const id = response.json().data.id as string;
    // A file where the thumbnail's folder should be: writing fails the way a broken disk does
    // (an I/O error, not a bad picture), so the job is retried.
    const blocker = join(server.app.layout.thumbsDir, id.slice(0, 2));
    await writeFile(blocker, 'in the way');

    const start = server.clock.now().getTime();
    await server.app.jobs.drain();
    expect(await job(id)).toMatchObject({ status: 'pending', attempts: 1, run_at: new Date(start + 30_000) });
    expect(await thumbnailCode(id)).toBe('THUMBNAIL_PENDING');

    // Not due yet: draining does nothing.
    server.clock.advance(29_999);
    await server.app.jobs.drain();
    expect((await job(id)).attempts).toBe(1);

    server.clock.advance(1);
    await server.app.jobs.drain();
    const second = await job(id);
    expect(second).toMatchObject({
      status: 'pending',
      attempts: 2,
      last_error: expect.stringMatching(/E[A-Z]+/),
    });
    expect(second.run_at).toEqual(new Date(start + 30_000 + 120_000));

    server.clock.advance(120_000);
    await server.app.jobs.drain();
    expect(await job(id)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(await thumbnailCode(id)).toBe('THUMBNAIL_FAILED');
    expect(server.logs.filter((line) => line.includes('job failed for good'))).toHaveLength(1);

    // Given up on: nothing runs it again by itself.
    server.clock.advance(3_600_000);
    await server.app.jobs.drain();
    expect((await job(id)).attempts).toBe(3);
    await rm(blocker);
  });
});
