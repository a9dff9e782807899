import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { buildCameraExif, IPHONE_EXIF } from '../../../packages/media/test/fixtures/build-exif.js';
import { buildHeic, buildJpeg } from '../../../packages/media/test/fixtures/build-photos.js';
import { buildMovie } from '../../../packages/media/test/fixtures/build-quicktime.js';
import { databaseTargets, sha256Hex } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('an upload is filed by when it was taken ($label)', (target) => {
  const it = serverTest(target, { phone: true }).extend(
    'uploadRow',
    ({ server, phone, upload }) =>
      async (name: string, data: Buffer, createdAt?: string) => {
        const id = await upload(phone.token, name, data, createdAt);
        return server.database.db
          .selectFrom('media')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
      },
  );

  it('a JPEG: EXIF date with its offset, camera, GPS, size; the folder is the local month', async ({
    server,
    uploadRow,
  }) => {
    const jpeg = buildJpeg({
      tiff: buildCameraExif({
        ...IPHONE_EXIF,
        dateTimeOriginal: '2024:01:01 00:30:00',
        offsetTimeOriginal: '+02:00',
        longitude: 2.2945,
      }),
      size: 200_000,
    });
    const row = await uploadRow('IMG_0100.JPG', jpeg, '2020-01-01T00:00:00Z');
    expect(row.rel_path).toBe('owner/2024/01/IMG_0100.JPG'); // local Jan 2024, though UTC is Dec 2023 (.123: SubSecTimeOriginal)
    expect(row.taken_at.toISOString()).toBe('2023-12-31T22:30:00.123Z');
    expect(row).toMatchObject({
      taken_at_offset_minutes: 120,
      media_type: 'photo',
      mime: 'image/jpeg',
      camera_make: 'Apple',
      camera_model: 'iPhone 15 Pro',
      orientation: 6,
    });
    expect(row.latitude).toBeCloseTo(48.8584, 3);
    expect(row.longitude).toBeCloseTo(2.2945, 3);
    expect(sha256Hex(await readFile(join(server.config.libraryDir, row.rel_path)))).toBe(sha256Hex(jpeg));
  });

  it('a HEIC from an iPhone', async ({ uploadRow }) => {
    const heic = buildHeic({
      tiff: buildCameraExif({
        ...IPHONE_EXIF,
        dateTimeOriginal: '2023:08:20 09:15:00',
        offsetTimeOriginal: '-04:00',
      }),
    });
    const row = await uploadRow('IMG_0200.HEIC', heic);
    expect(row).toMatchObject({
      rel_path: 'owner/2023/08/IMG_0200.HEIC',
      mime: 'image/heic',
      taken_at_offset_minutes: -240,
    });
    expect(row.taken_at.toISOString()).toBe('2023-08-20T13:15:00.123Z');
  });

  it('a MOV: QuickTime creation date, duration, dimensions; it is a video', async ({ uploadRow }) => {
    const movie = buildMovie({
      keys: { 'com.apple.quicktime.creationdate': '2022-06-30T23:45:10+0100' },
      timescale: 600,
      duration: 600 * 12,
      tracks: [{ handler: 'vide', width: 1920, height: 1080 }],
    });
    const row = await uploadRow('IMG_0300.MOV', movie);
    expect(row).toMatchObject({
      rel_path: 'owner/2022/06/IMG_0300.MOV',
      media_type: 'video',
      mime: 'video/quicktime',
      duration_ms: 12_000,
      width: 1920,
      height: 1080,
    });
    expect(row.taken_at.toISOString()).toBe('2022-06-30T22:45:10.000Z');
  });

  it("no date in the file: the client's createdAt, else the upload time", async ({ server, uploadRow }) => {
    const plain = buildJpeg({ size: 5000 });
    const withClient = await uploadRow('IMG_0400.JPG', plain, '2019-05-05T10:00:00Z');
    expect(withClient.rel_path).toBe('owner/2019/05/IMG_0400.JPG');
    const other = buildJpeg({ size: 5001 });
    const withNothing = await uploadRow('IMG_0401.JPG', other);
    expect(withNothing.taken_at.toISOString()).toBe(server.clock.now().toISOString());
    expect(withNothing.rel_path).toBe('owner/2026/11/IMG_0401.JPG');
  });
});
