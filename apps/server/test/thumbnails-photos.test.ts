import { describe, expect } from 'vitest';
import {
  describeImage,
  isBlue,
  isRed,
  rotatedJpeg,
  shippedFixture,
  stripedPng,
} from './fixtures/pictures.js';
import { bearer, databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('thumbnails of photos ($label)', (target) => {
  const it = serverTest(target)
    .extend('thumbnail', ({ server, owner }) => async (id: string, size: 'small' | 'preview') => {
      const response = await server.app.inject({
        url: `/api/v1/media/${id}/thumbnail?size=${size}`,
        headers: bearer(owner),
      });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.headers['content-type']).toBe('image/webp');
      expect(response.headers['content-length']).toBe(String(response.rawPayload.length));
      return describeImage(response.rawPayload, [
        [0.5, 0.1],
        [0.5, 0.9],
      ]);
    })
    .extend('thumbnailState', ({ server, owner }) => async (id: string): Promise<string> => {
      const response = await server.app.inject({ url: `/api/v1/media/${id}`, headers: bearer(owner) });
      return response.json().data.thumbnail as string;
    })
    /** Uploads a picture as the owner and runs the thumbnail jobs; returns its id. */
    .extend('uploadThumbnailed', ({ server, owner, upload }) => async (filename: string, bytes: Buffer) => {
      const id = await upload(owner, filename, bytes);
      await server.app.jobs.drain();
      return id;
    });

  it('turns a JPEG upright by its EXIF orientation, both sizes', async ({
    uploadThumbnailed,
    thumbnail,
    thumbnailState,
  }) => {
    // Stored 400×300 landscape, EXIF orientation 6: shown 300×400, red half on top.
    const id = await uploadThumbnailed('IMG_0001.JPG', await rotatedJpeg(400, 300));
    expect(await thumbnailState(id)).toBe('ready');

    const small = await thumbnail(id, 'small');
    expect(small).toMatchObject({ format: 'webp', width: 256, height: 341 });
    expect(isRed(small.colours[0]!), `top ${small.colours[0]}`).toBe(true);
    expect(isBlue(small.colours[1]!), `bottom ${small.colours[1]}`).toBe(true);

    // The preview is never larger than the original.
    const preview = await thumbnail(id, 'preview');
    expect(preview).toMatchObject({ format: 'webp', width: 300, height: 400 });
    expect(isRed(preview.colours[0]!)).toBe(true);
  });

  it('fits a large PNG into 1440 px for the preview and 256 px on the short side for small', async ({
    uploadThumbnailed,
    thumbnail,
  }) => {
    const id = await uploadThumbnailed('panorama.png', await stripedPng(2880, 960));
    expect(await thumbnail(id, 'preview')).toMatchObject({ format: 'webp', width: 1440, height: 480 });
    expect(await thumbnail(id, 'small')).toMatchObject({ format: 'webp', width: 768, height: 256 });
  });

  it('decodes an iPhone-style HEIC (HEVC grid, irot) with the WebAssembly decoder, upright once', async ({
    uploadThumbnailed,
    thumbnail,
    thumbnailState,
  }) => {
    // Stored 64×48 with irot 90° and EXIF orientation 6 describing the same turn: shown 48×64.
    // Applying both would turn it twice (64×48, red at the bottom).
    const id = await uploadThumbnailed('IMG_0002.HEIC', shippedFixture('rotated-64x48.heic'));
    expect(await thumbnailState(id)).toBe('ready');
    for (const size of ['small', 'preview'] as const) {
      const image = await thumbnail(id, size);
      expect(image, size).toMatchObject({ format: 'webp', width: 48, height: 64 });
      expect(isRed(image.colours[0]!), `${size} top ${image.colours[0]}`).toBe(true);
      expect(isBlue(image.colours[1]!), `${size} bottom ${image.colours[1]}`).toBe(true);
    }
  });

  it('answers small when no size is asked, and 400 for a size it does not make', async ({
    server,
    owner,
    uploadThumbnailed,
  }) => {
    const id = await uploadThumbnailed('IMG_0003.JPG', await rotatedJpeg(40, 30, 3));
    const plain = await server.app.inject({ url: `/api/v1/media/${id}/thumbnail`, headers: bearer(owner) });
    expect(plain.statusCode).toBe(200);
    expect(await describeImage(plain.rawPayload)).toMatchObject({ width: 30, height: 40 });

    const bad = await server.app.inject({
      url: `/api/v1/media/${id}/thumbnail?size=huge`,
      headers: bearer(owner),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('VALIDATION_FAILED');
  });
});
