import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { rotatedJpeg } from './fixtures/pictures.js';
import { bearer, databaseTargets, uploadRaw } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('running failed thumbnail jobs again ($label)', (target) => {
  const it = serverTest(target)
    .extend(
      'retry',
      ({ server }) =>
        (token: string) =>
          server.app.inject({ method: 'POST', url: '/api/v1/system/jobs/retry', headers: bearer(token) }),
    )
    .extend(
      'jobOf',
      ({ server }) =>
        (mediaId: string) =>
          server.database.db
            .selectFrom('jobs')
            .select(['status', 'attempts', 'last_error'])
            .where('media_id', '=', mediaId)
            .executeTakeFirstOrThrow(),
    )
    .extend(
      'thumbnailOf',
      ({ server, owner }) =>
        async (mediaId: string) =>
          (await server.app.inject({ url: `/api/v1/media/${mediaId}`, headers: bearer(owner) })).json().data
            .thumbnail,
    )
    .extend(
      'failedCount',
      ({ server, owner }) =>
        async () =>
          (await server.app.inject({ url: '/api/v1/system/status', headers: bearer(owner) })).json().data.jobs
            .failed,
    );

  it('requeues a failed job: a still-corrupt original fails again, a replaced one gets its thumbnails', async ({
    server,
    owner,
    retry,
    jobOf,
    thumbnailOf,
    failedCount,
  }) => {
    // Passes the sniffer as a JPEG, then nothing decodable: given up on after one attempt.
    const corrupt = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), randomBytes(5000)]);
    const id = await uploadRaw(server.app, owner, 'IMG_0100.JPG', corrupt);
    await server.app.jobs.drain();
    expect(await jobOf(id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await thumbnailOf(id)).toBe('failed');
    expect(await failedCount()).toBe(1);

    const again = await retry(owner);
    expect(again.statusCode).toBe(200);
    expect(again.json().data).toEqual({ requeued: 1 });
    expect(await jobOf(id)).toMatchObject({ status: 'pending', attempts: 0, last_error: null });
    expect(await thumbnailOf(id)).toBe('pending');
    await server.app.jobs.drain();
    // It really ran again (one fresh attempt), and failed again.
    expect(await jobOf(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: expect.stringMatching(/could not be decoded/),
    });
    expect(await thumbnailOf(id)).toBe('failed');

    // Someone puts a good copy in place of the damaged file; this time it works.
    const { rel_path: relPath } = await server.database.db
      .selectFrom('media')
      .select('rel_path')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    await writeFile(join(server.config.libraryDir, relPath), await rotatedJpeg(40, 30, 1));
    expect((await retry(owner)).json().data).toEqual({ requeued: 1 });
    await server.app.jobs.drain();
    expect(await jobOf(id)).toMatchObject({ status: 'completed', attempts: 1 });
    expect(await thumbnailOf(id)).toBe('ready');
    const thumbnail = await server.app.inject({
      url: `/api/v1/media/${id}/thumbnail`,
      headers: bearer(owner),
    });
    expect(thumbnail.statusCode).toBe(200);
    expect(await failedCount()).toBe(0);

    // Nothing failed, nothing to do.
    expect((await retry(owner)).json().data).toEqual({ requeued: 0 });
  });
});
