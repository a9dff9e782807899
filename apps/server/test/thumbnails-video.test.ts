import { describe, expect } from 'vitest';
import { describeImage, ffmpegOnPath, shippedFixture } from './fixtures/pictures.js';
import { bearer, databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

const hasFfmpeg = ffmpegOnPath();
if (!hasFfmpeg) {
  console.warn(
    'thumbnails-video: SKIPPED, ffmpeg is not on PATH (apt-get install ffmpeg to run these tests)',
  );
}

describe.skipIf(!hasFfmpeg).each(databaseTargets)('thumbnails of videos, with ffmpeg ($label)', (target) => {
  const it = serverTest(target).extend(
    'thumbnail',
    ({ server, owner }) =>
      async (id: string, size: 'small' | 'preview') => {
        const response = await server.app.inject({
          url: `/api/v1/media/${id}/thumbnail?size=${size}`,
          headers: bearer(owner),
        });
        expect(response.statusCode, response.body).toBe(200);
        expect(response.headers['content-type']).toBe('image/webp');
        return describeImage(response.rawPayload);
      },
  );

  it('grabs a frame of an H.264 MP4 and of a rotated HEVC MOV, shown upright', async ({
    server,
    owner,
    upload,
    thumbnail,
  }) => {
    const mp4 = await upload(owner, 'clip.mp4', shippedFixture('testsrc-64x48.mp4'));
    const mov = await upload(owner, 'IMG_0100.MOV', shippedFixture('testsrc-portrait.mov'));
    await server.app.jobs.drain();

    for (const id of [mp4, mov]) {
      const detail = await server.app.inject({ url: `/api/v1/media/${id}`, headers: bearer(owner) });
      expect(detail.json().data).toMatchObject({ type: 'video', thumbnail: 'ready' });
    }
    for (const size of ['small', 'preview'] as const) {
      expect(await thumbnail(mp4, size), size).toMatchObject({ format: 'webp', width: 64, height: 48 });
      // The MOV's track matrix turns it 90°: the frame comes out portrait.
      expect(await thumbnail(mov, size), size).toMatchObject({ format: 'webp', width: 48, height: 64 });
    }
  });
});
