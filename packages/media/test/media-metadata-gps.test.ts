// Where a photo or video was taken: EXIF GPS refs and DMS rationals, QuickTime ISO 6709 strings.
import { describe, expect, it } from 'vitest';
import { parseIso6709 } from '../src/media-metadata-iso6709.js';
import { extractMediaMetadata } from '../src/media-metadata.js';
import { ascii, buildCameraExif, rational, type CameraExif } from './fixtures/build-exif.js';
import { buildJpeg } from './fixtures/build-photos.js';
import { buildMovie } from './fixtures/build-quicktime.js';
import { useTempFiles } from './fixtures/temp-files.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const files = useTempFiles('gps');
let counter = 0;

async function photoWith(camera: CameraExif) {
  counter += 1;
  const path = await files.write(
    `gps-${counter}.jpg`,
    buildJpeg({ tiff: buildCameraExif({ dateTimeOriginal: '2024:07:14 18:03:12', ...camera }) }),
  );
  return extractMediaMetadata(path, { mediaType: 'photo', mime: 'image/jpeg' }, { now: NOW });
}

describe('EXIF GPS', () => {
  it.each([
    ['north-east (Paris)', 48.8584, 2.2945],
    ['south-east (Sydney)', -33.8568, 151.2153],
    ['north-west (New York)', 40.6892, -74.0445],
    ['south-west (Rio)', -22.9519, -43.2105],
  ])('signs %s from the S/W refs', async (_place, latitude, longitude) => {
    const meta = await photoWith({ latitude, longitude });
    expect(meta.latitude).toBeCloseTo(latitude, 6);
    expect(meta.longitude).toBeCloseTo(longitude, 6);
    expect(Math.sign(meta.latitude ?? 0)).toBe(Math.sign(latitude));
    expect(Math.sign(meta.longitude ?? 0)).toBe(Math.sign(longitude));
  });

  it('keeps the altitude, negative below sea level (AltitudeRef 1)', async () => {
    const meta = await photoWith({ latitude: 31.5, longitude: 35.5, altitude: -430.5 });
    expect(meta.metadata.altitude).toBeCloseTo(-430.5, 6);
  });

  it('treats 0,0 (a receiver without a fix) as no location', async () => {
    const meta = await photoWith({ latitude: 0, longitude: 0 });
    expect([meta.latitude, meta.longitude]).toEqual([null, null]);
  });

  it('drops an out-of-range position with a warning, keeping the rest', async () => {
    const meta = await photoWith({
      make: 'Apple',
      gpsEntries: [
        ascii(0x0001, 'N'),
        rational(0x0002, [95, 1], [0, 1], [0, 1]),
        ascii(0x0003, 'E'),
        rational(0x0004, [10, 1], [0, 1], [0, 1]),
      ],
    });
    expect([meta.latitude, meta.longitude]).toEqual([null, null]);
    expect(meta.cameraMake).toBe('Apple');
    expect(meta.warnings).toContain('EXIF GPS position out of range or malformed');
  });

  it('drops a position with a zero denominator', async () => {
    const meta = await photoWith({
      gpsEntries: [
        ascii(0x0001, 'N'),
        rational(0x0002, [48, 0], [0, 1], [0, 1]),
        ascii(0x0003, 'E'),
        rational(0x0004, [2, 1], [0, 1], [0, 1]),
      ],
    });
    expect([meta.latitude, meta.longitude]).toEqual([null, null]);
  });

  it('reads a position without refs as north/east', async () => {
    const meta = await photoWith({
      gpsEntries: [rational(0x0002, [10, 1], [30, 1], [0, 1]), rational(0x0004, [20, 1], [15, 1], [0, 1])],
    });
    expect(meta.latitude).toBeCloseTo(10.5, 9);
    expect(meta.longitude).toBeCloseTo(20.25, 9);
  });
});

describe('ISO 6709 (QuickTime ©xyz and com.apple.quicktime.location.ISO6709)', () => {
  it.each([
    ['+48.8584+002.2945+035.000/', 48.8584, 2.2945, 35],
    ['-33.8568+151.2153/', -33.8568, 151.2153, null],
    ['+40.6892-074.0445+010.5/', 40.6892, -74.0445, 10.5],
    ['-22.9519-043.2105-005.000/', -22.9519, -43.2105, -5],
    ['+4851.504+00217.67/', 48.8584, 2.2945, null],
    ['+485130.24+0021740.2/', 48.8584, 2.2945, null],
    ['+48.8584+002.2945+035.000CRSWGS_84/', 48.8584, 2.2945, 35],
  ])('parses %s', (text, latitude, longitude, altitude) => {
    const point = parseIso6709(text);
    expect(point?.latitude).toBeCloseTo(latitude, 4);
    expect(point?.longitude).toBeCloseTo(longitude, 4);
    expect(point?.altitude ?? null).toBe(altitude);
  });

  it.each(['', 'garbage', '+95.0+010.0/', '+10.0+190.0/', '+00.0000+000.0000/', '48.8584,2.2945'])(
    'rejects %j',
    (text) => {
      expect(parseIso6709(text)).toBeNull();
    },
  );

  it('gives a video its place from the Apple location key, signs intact', async () => {
    const path = await files.write(
      'place.mov',
      buildMovie({ keys: { 'com.apple.quicktime.location.ISO6709': '-33.8568+151.2153+012.000/' } }),
    );
    const meta = await extractMediaMetadata(
      path,
      { mediaType: 'video', mime: 'video/quicktime' },
      { now: NOW },
    );
    expect(meta.latitude).toBeCloseTo(-33.8568, 6);
    expect(meta.longitude).toBeCloseTo(151.2153, 6);
    expect(meta.metadata.altitude).toBe(12);
  });
});
