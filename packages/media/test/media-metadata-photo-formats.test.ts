// Every still format the upload accepts gives up its EXIF block and its stored size: JPEG, HEIC
// (iPhone-shaped HEIF), PNG eXIf, WebP, TIFF; GIF has only a size.
import exifr from 'exifr';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { extractMediaMetadata, type MediaMetadata } from '../src/media-metadata.js';
import { buildCameraExif, buildTiff, IPHONE_EXIF, ascii, long, short } from './fixtures/build-exif.js';
import { buildHeic, buildJpeg, buildPng, buildWebp } from './fixtures/build-photos.js';
import { useTempFiles } from './fixtures/temp-files.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const files = useTempFiles('photo-formats');

function extract(path: string, mime: string): Promise<MediaMetadata> {
  return extractMediaMetadata(path, { mediaType: 'photo', mime }, { now: NOW });
}

/** What IPHONE_EXIF must come out as, whatever the container. */
function expectIphoneFacts(meta: MediaMetadata): void {
  expect(meta.takenAt.toISOString()).toBe('2024-07-14T16:03:12.123Z');
  expect(meta.takenAtOffsetMinutes).toBe(120);
  expect(meta.takenAtLocal).toEqual({ year: 2024, month: 7, day: 14 });
  expect(meta.takenAtSource).toBe('exif');
  expect(meta.cameraMake).toBe('Apple');
  expect(meta.cameraModel).toBe('iPhone 15 Pro');
  expect(meta.orientation).toBe(6);
  expect(meta.latitude).toBeCloseTo(48.8584, 6);
  expect(meta.longitude).toBeCloseTo(2.2945, 6);
  expect(meta.durationMs).toBeNull();
  expect(meta.metadata).toMatchObject({
    lensModel: 'iPhone 15 Pro back triple camera 6.86mm f/1.78',
    iso: 80,
    fNumber: 1.78,
    focalLength: 6.86,
    software: '17.5.1',
    dateTimeOriginal: '2024:07:14 18:03:12',
    offsetTimeOriginal: '+02:00',
  });
  expect(meta.metadata.exposureTime).toBeCloseTo(1 / 120, 10);
  expect(meta.metadata.altitude).toBeCloseTo(35, 6);
  expect(meta.warnings).toEqual([]);
}

describe('JPEG', () => {
  it('reads EXIF from APP1 and the stored size from SOF, big- and little-endian alike', async () => {
    for (const littleEndian of [false, true]) {
      const tiff = buildCameraExif({ ...IPHONE_EXIF, littleEndian });
      const path = await files.write(
        `IMG_${littleEndian}.JPG`,
        buildJpeg({ tiff, width: 4032, height: 3024, jfif: true }),
      );
      const meta = await extract(path, 'image/jpeg');
      expectIphoneFacts(meta);
      expect([meta.width, meta.height]).toEqual([4032, 3024]);
    }
  });

  it('prefers the SOF size (what is stored) over a stale EXIF PixelXDimension', async () => {
    const tiff = buildCameraExif({ pixelWidth: 4032, pixelHeight: 3024 });
    const meta = await extract(
      await files.write('cropped.jpg', buildJpeg({ tiff, width: 1000, height: 800 })),
      'image/jpeg',
    );
    expect([meta.width, meta.height]).toEqual([1000, 800]);
  });

  // From the file's bytes: exifr 7.1's own file reader fails on Node 26 (it passes a string where
  // fs now wants an object), and the server only ever hands exifr bytes.
  it('is a fixture exifr itself reads the same way from the file', async () => {
    const path = await files.write('crosscheck.jpg', buildJpeg({ tiff: buildCameraExif(IPHONE_EXIF) }));
    const parsed = await exifr.parse(await readFile(path), { reviveValues: false, translateValues: false });
    expect(parsed).toMatchObject({
      Make: 'Apple',
      Model: 'iPhone 15 Pro',
      Orientation: 6,
      DateTimeOriginal: '2024:07:14 18:03:12',
      OffsetTimeOriginal: '+02:00',
    });
    expect(parsed.latitude).toBeCloseTo(48.8584, 6);
  });
});

describe('HEIC', () => {
  it('follows iinf/iloc to the Exif item and reads ispe for the size (iloc version 0 and 1)', async () => {
    for (const ilocVersion of [0, 1] as const) {
      const path = await files.write(
        `IMG_${ilocVersion}.HEIC`,
        buildHeic({ tiff: buildCameraExif(IPHONE_EXIF), width: 4032, height: 3024, ilocVersion }),
      );
      const meta = await extract(path, 'image/heic');
      expectIphoneFacts(meta);
      expect([meta.width, meta.height]).toEqual([4032, 3024]);
    }
  });

  it('is a fixture exifr itself reads from the file', async () => {
    const path = await files.write('crosscheck.heic', buildHeic({ tiff: buildCameraExif(IPHONE_EXIF) }));
    const parsed = await exifr.parse(await readFile(path), { reviveValues: false, translateValues: false });
    expect(parsed).toMatchObject({
      Make: 'Apple',
      DateTimeOriginal: '2024:07:14 18:03:12',
      OffsetTimeOriginal: '+02:00',
    });
  });

  it('takes the orientation from irot when the EXIF has none', async () => {
    const tiff = buildCameraExif({ dateTimeOriginal: '2024:07:14 18:03:12' });
    const meta = await extract(
      await files.write('irot.heic', buildHeic({ tiff, rotation: 3 })),
      'image/heic',
    );
    expect(meta.orientation).toBe(6);
    expect(meta.takenAtSource).toBe('exif');
  });

  it('gives the size of a HEIC without an Exif item and falls back for the date', async () => {
    const meta = await extract(
      await files.write('no-exif.heic', buildHeic({ width: 3024, height: 4032 })),
      'image/heic',
    );
    expect([meta.width, meta.height]).toEqual([3024, 4032]);
    expect(meta.takenAtSource).toBe('upload-time');
  });
});

describe('PNG, WebP, TIFF, GIF', () => {
  it('reads a PNG eXIf chunk before or after the image data, and the IHDR size', async () => {
    for (const exifPlacement of ['before-idat', 'after-idat'] as const) {
      const png = buildPng({ tiff: buildCameraExif(IPHONE_EXIF), width: 1170, height: 2532, exifPlacement });
      const meta = await extract(await files.write(`shot-${exifPlacement}.png`, png), 'image/png');
      expectIphoneFacts(meta);
      expect([meta.width, meta.height]).toEqual([1170, 2532]);
    }
  });

  it('reads a WebP EXIF chunk, with or without the "Exif\\0\\0" prefix, and the VP8X canvas size', async () => {
    for (const exifPrefix of [false, true]) {
      const webp = buildWebp({ tiff: buildCameraExif(IPHONE_EXIF), width: 1920, height: 1440, exifPrefix });
      const meta = await extract(await files.write(`img-${exifPrefix}.webp`, webp), 'image/webp');
      expectIphoneFacts(meta);
      expect([meta.width, meta.height]).toEqual([1920, 1440]);
    }
  });

  it('reads a TIFF (and so DNG) file, whose EXIF is the file, with its IFD0 size', async () => {
    const tiff = buildTiff({
      littleEndian: true,
      ifd0: [
        long(0x0100, 6000),
        long(0x0101, 4000),
        ascii(0x010f, 'NIKON CORPORATION'),
        ascii(0x0110, 'NIKON Z 6'),
        short(0x0112, 1),
      ],
      exif: [ascii(0x9003, '2023:08:01 06:45:00'), ascii(0x9011, '-07:00')],
    });
    const meta = await extract(await files.write('DSC_0001.TIF', tiff), 'image/tiff');
    expect(meta.takenAt.toISOString()).toBe('2023-08-01T13:45:00.000Z');
    expect(meta.takenAtLocal).toEqual({ year: 2023, month: 8, day: 1 });
    expect([meta.cameraMake, meta.cameraModel, meta.orientation]).toEqual([
      'NIKON CORPORATION',
      'NIKON Z 6',
      1,
    ]);
    expect([meta.width, meta.height]).toEqual([6000, 4000]);
  });

  it('does not take a DNG preview IFD0 (NewSubfileType 1) for the picture size', async () => {
    const tiff = buildTiff({
      ifd0: [long(0x00fe, 1), long(0x0100, 256), long(0x0101, 171)],
      exif: [ascii(0x9003, '2023:08:01 06:45:00')],
    });
    const meta = await extract(await files.write('preview.dng', tiff), 'image/x-adobe-dng');
    expect([meta.width, meta.height]).toEqual([null, null]);
    expect(meta.takenAtSource).toBe('exif');
  });

  it('gives a GIF its size and the fallback date', async () => {
    const gif = Buffer.concat([
      Buffer.from('GIF89a', 'latin1'),
      Buffer.from([0x40, 0x01, 0xf0, 0x00]),
      Buffer.alloc(16),
    ]);
    const meta = await extract(await files.write('anim.gif', gif), 'image/gif');
    expect([meta.width, meta.height]).toEqual([320, 240]);
    expect(meta.takenAtSource).toBe('upload-time');
    expect(meta.warnings).toEqual([]);
  });
});
