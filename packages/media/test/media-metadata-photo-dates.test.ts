// The date a photo was taken: EXIF wall clock + offset → UTC instant and the LOCAL date that
// picks the <YYYY>/<MM> folder; then the client's createdAt; then the upload time.
import { describe, expect, it } from 'vitest';
import { extractMediaMetadata } from '../src/media-metadata.js';
import { buildCameraExif, type CameraExif } from './fixtures/build-exif.js';
import { buildJpeg } from './fixtures/build-photos.js';
import { useTempFiles } from './fixtures/temp-files.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const PHOTO = { mediaType: 'photo', mime: 'image/jpeg' } as const;
const files = useTempFiles('photo-dates');
let counter = 0;

async function photoWith(camera: CameraExif, fallback: { clientCreatedAt?: Date } = {}) {
  counter += 1;
  const path = await files.write(`IMG_${counter}.JPG`, buildJpeg({ tiff: buildCameraExif(camera) }));
  return extractMediaMetadata(path, PHOTO, { now: NOW, ...fallback });
}

describe('EXIF DateTimeOriginal with OffsetTimeOriginal', () => {
  it('subtracts a positive offset for the instant and keeps the wall-clock date as the local date', async () => {
    const meta = await photoWith({
      dateTimeOriginal: '2024:07:14 18:03:12',
      offsetTimeOriginal: '+02:00',
      subSecTimeOriginal: '45',
    });
    expect(meta.takenAt.toISOString()).toBe('2024-07-14T16:03:12.450Z');
    expect(meta.takenAtOffsetMinutes).toBe(120);
    expect(meta.takenAtLocal).toEqual({ year: 2024, month: 7, day: 14 });
    expect(meta.takenAtSource).toBe('exif');
    expect(meta.warnings).toEqual([]);
  });

  it('files a shot taken just after local midnight under the local month, not the UTC one', async () => {
    const meta = await photoWith({ dateTimeOriginal: '2024:01:01 00:30:00', offsetTimeOriginal: '+02:00' });
    expect(meta.takenAt.toISOString()).toBe('2023-12-31T22:30:00.000Z');
    expect(meta.takenAtLocal).toEqual({ year: 2024, month: 1, day: 1 });
  });

  it('adds a negative offset, crossing into the next UTC day while the local date stays', async () => {
    const meta = await photoWith({ dateTimeOriginal: '2024:03:31 22:15:00', offsetTimeOriginal: '-05:00' });
    expect(meta.takenAt.toISOString()).toBe('2024-04-01T03:15:00.000Z');
    expect(meta.takenAtOffsetMinutes).toBe(-300);
    expect(meta.takenAtLocal).toEqual({ year: 2024, month: 3, day: 31 });
  });

  it('handles half-hour zones', async () => {
    const meta = await photoWith({ dateTimeOriginal: '2023:11:05 09:00:00', offsetTimeOriginal: '+05:30' });
    expect(meta.takenAt.toISOString()).toBe('2023-11-05T03:30:00.000Z');
    expect(meta.takenAtOffsetMinutes).toBe(330);
  });

  it('treats the wall clock as UTC when no offset is recorded, keeping the local date right', async () => {
    const meta = await photoWith({ dateTimeOriginal: '2019:12:31 23:59:59' });
    expect(meta.takenAt.toISOString()).toBe('2019-12-31T23:59:59.000Z');
    expect(meta.takenAtOffsetMinutes).toBeNull();
    expect(meta.takenAtLocal).toEqual({ year: 2019, month: 12, day: 31 });
    expect(meta.takenAtSource).toBe('exif');
  });

  it('borrows OffsetTime when OffsetTimeOriginal is missing', async () => {
    const meta = await photoWith({ dateTimeOriginal: '2024:07:14 18:03:12', offsetTime: '+01:00' });
    expect(meta.takenAtOffsetMinutes).toBe(60);
    expect(meta.takenAt.toISOString()).toBe('2024-07-14T17:03:12.000Z');
  });

  it('ignores a malformed offset rather than the date', async () => {
    const meta = await photoWith({ dateTimeOriginal: '2024:07:14 18:03:12', offsetTimeOriginal: '+25:00' });
    expect(meta.takenAtOffsetMinutes).toBeNull();
    expect(meta.takenAt.toISOString()).toBe('2024-07-14T18:03:12.000Z');
  });
});

describe('EXIF fallbacks', () => {
  it('falls back to CreateDate (DateTimeDigitized) with OffsetTimeDigitized', async () => {
    const meta = await photoWith({ createDate: '2022:02:28 07:00:00', offsetTimeDigitized: '+09:00' });
    expect(meta.takenAt.toISOString()).toBe('2022-02-27T22:00:00.000Z');
    expect(meta.takenAtLocal).toEqual({ year: 2022, month: 2, day: 28 });
    expect(meta.takenAtSource).toBe('exif');
  });

  it('prefers DateTimeOriginal over CreateDate', async () => {
    const meta = await photoWith({
      dateTimeOriginal: '2021:05:01 10:00:00',
      createDate: '2022:06:02 11:00:00',
      offsetTimeOriginal: '+00:00',
    });
    expect(meta.takenAt.toISOString()).toBe('2021-05-01T10:00:00.000Z');
    expect(meta.takenAtOffsetMinutes).toBe(0);
  });

  it('skips an unset DateTimeOriginal ("0000:00:00 00:00:00") for CreateDate', async () => {
    const meta = await photoWith({
      dateTimeOriginal: '0000:00:00 00:00:00',
      createDate: '2022:06:02 11:00:00',
    });
    expect(meta.takenAt.toISOString()).toBe('2022-06-02T11:00:00.000Z');
    expect(meta.warnings).toContain('EXIF DateTimeOriginal is not a date');
  });

  it('treats an EXIF date before 1970 as missing and uses the client date', async () => {
    const client = new Date('2024-05-05T12:00:00Z');
    const meta = await photoWith({ dateTimeOriginal: '1904:01:01 00:00:00' }, { clientCreatedAt: client });
    expect(meta.takenAtSource).toBe('client');
    expect(meta.takenAt.toISOString()).toBe(client.toISOString());
    expect(meta.takenAtOffsetMinutes).toBeNull();
    expect(meta.takenAtLocal).toEqual({ year: 2024, month: 5, day: 5 });
    expect(meta.warnings.some((warning) => warning.startsWith('DateTimeOriginal date is before 1970'))).toBe(
      true,
    );
  });

  it('treats an EXIF date more than a day after now as missing', async () => {
    const meta = await photoWith({ dateTimeOriginal: '2099:01:01 00:00:00', offsetTimeOriginal: '+00:00' });
    expect(meta.takenAtSource).toBe('upload-time');
    expect(meta.takenAt.toISOString()).toBe(NOW.toISOString());
    expect(meta.takenAtLocal).toEqual({ year: 2026, month: 11, day: 21 });
  });

  it('accepts a wall clock a few hours ahead of now (a +14:00 zone with no offset tag)', async () => {
    const meta = await photoWith({ dateTimeOriginal: '2026:11:21 23:30:00' });
    expect(meta.takenAtSource).toBe('exif');
    expect(meta.takenAtLocal).toEqual({ year: 2026, month: 11, day: 21 });
  });

  it('rejects impossible calendar dates', async () => {
    const meta = await photoWith({ dateTimeOriginal: '2023:02:30 10:00:00' });
    expect(meta.takenAtSource).toBe('upload-time');
  });
});

describe('client createdAt and upload time', () => {
  it('uses the client date when the photo has no EXIF date, with the offset the route kept', async () => {
    const path = await files.write('no-exif.jpg', buildJpeg());
    const meta = await extractMediaMetadata(path, PHOTO, {
      now: NOW,
      clientCreatedAt: new Date('2024-01-31T23:30:00Z'),
      clientCreatedAtOffsetMinutes: 60,
    });
    expect(meta.takenAtSource).toBe('client');
    expect(meta.takenAtOffsetMinutes).toBe(60);
    // 00:30 on 1 February in the client's zone.
    expect(meta.takenAtLocal).toEqual({ year: 2024, month: 2, day: 1 });
  });

  it('ignores a client date before 1970 or beyond tomorrow, without failing', async () => {
    const path = await files.write('no-exif-2.jpg', buildJpeg());
    for (const clientCreatedAt of [
      new Date('1969-12-31T23:59:59Z'),
      new Date('2026-11-23T10:00:00Z'),
      new Date(Number.NaN),
    ]) {
      const meta = await extractMediaMetadata(path, PHOTO, { now: NOW, clientCreatedAt });
      expect(meta.takenAtSource).toBe('upload-time');
      expect(meta.takenAt.toISOString()).toBe(NOW.toISOString());
      expect(meta.warnings).toContain('client createdAt is before 1970 or in the future; ignored');
    }
  });

  it('uses now when nothing else is known, by UTC date', async () => {
    const path = await files.write('no-exif-3.jpg', buildJpeg());
    const meta = await extractMediaMetadata(path, PHOTO, { now: new Date('2025-12-31T23:59:00Z') });
    expect(meta.takenAtSource).toBe('upload-time');
    expect(meta.takenAtOffsetMinutes).toBeNull();
    expect(meta.takenAtLocal).toEqual({ year: 2025, month: 12, day: 31 });
  });
});
