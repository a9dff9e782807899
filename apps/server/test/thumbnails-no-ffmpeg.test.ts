import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { shippedFixture } from './fixtures/pictures.js';
import { bearer, databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('videos on a server without ffmpeg ($label)', (target) => {
  const it = serverTest(target, {
    options: { jobs: { paused: true, thumbnails: { ffmpegPath: join('/nonexistent', 'bin', 'ffmpeg') } } },
  });

  it('marks the video unsupported, answers THUMBNAIL_UNAVAILABLE, and logs why once', async ({
    server,
    owner,
    upload,
  }) => {
    const id = await upload(owner, 'clip.mp4', shippedFixture('testsrc-64x48.mp4'));
    await server.app.jobs.drain();

    const detail = await server.app.inject({ url: `/api/v1/media/${id}`, headers: bearer(owner) });
    expect(detail.json().data.thumbnail).toBe('unsupported');
    const job = await server.database.db
      .selectFrom('jobs')
      .select(['status', 'attempts', 'last_error'])
      .where('media_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(job).toEqual({ status: 'completed', attempts: 1, last_error: null });

    for (const size of ['small', 'preview']) {
      const thumbnail = await server.app.inject({
        url: `/api/v1/media/${id}/thumbnail?size=${size}`,
        headers: bearer(owner),
      });
      expect(thumbnail.statusCode).toBe(404);
      expect(thumbnail.json().error.code).toBe('THUMBNAIL_UNAVAILABLE');
      expect(thumbnail.headers['cache-control']).toBe('no-store');
    }
    expect(server.logs.filter((line) => line.includes('ffmpeg not found'))).toHaveLength(1);
  });
});
