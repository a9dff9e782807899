// The timestamp forms cameras and phones write, parsed without the server's own time zone.
import { describe, expect, it } from 'vitest';
import {
  captureFromInstant,
  captureFromIsoTimestamp,
  isPlausibleCaptureTime,
  parseExifDateTime,
  parseIsoTimestamp,
  parseUtcOffset,
} from '../src/media-metadata-time.js';

describe('EXIF date-times', () => {
  it.each([
    ['2024:07:14 18:03:12', undefined, [2024, 7, 14, 18, 3, 12, 0]],
    ['2024-07-14 18:03:12', undefined, [2024, 7, 14, 18, 3, 12, 0]],
    ['2024:07:14 18:03:12\0', '5', [2024, 7, 14, 18, 3, 12, 500]],
    ['  2024:07:14 18:03:12  ', '0123', [2024, 7, 14, 18, 3, 12, 12]],
    ['2024:07:14 18:03', undefined, [2024, 7, 14, 18, 3, 0, 0]],
    ['2016:12:31 23:59:60', undefined, [2016, 12, 31, 23, 59, 59, 0]],
    ['2009:09:23 17:40:52 UTC', undefined, [2009, 9, 23, 17, 40, 52, 0]],
  ])('reads %j (subsec %j)', (text, subSeconds, [year, month, day, hour, minute, second, millisecond]) => {
    expect(parseExifDateTime(text, subSeconds)).toEqual({
      year,
      month,
      day,
      hour,
      minute,
      second,
      millisecond,
    });
  });

  it.each([
    '',
    '    :  :     :  :  ',
    '0000:00:00 00:00:00',
    '2024:13:01 00:00:00',
    '2023:02:29 00:00:00',
    '2024:07:14 25:00:00',
    'yesterday',
    42,
    null,
  ])('rejects %j', (text) => {
    expect(parseExifDateTime(text)).toBeNull();
  });
});

describe('UTC offsets', () => {
  it.each([
    ['+02:00', 120],
    ['-05:00', -300],
    ['+05:45', 345],
    ['-09:30', -570],
    ['+0100', 60],
    ['+14:00', 840],
    ['+00:00', 0],
  ])('reads %s as %i minutes', (text, minutes) => {
    expect(parseUtcOffset(text)).toBe(minutes);
  });

  it.each(['', 'Z', '+15:00', '+02:60', '02:00', '+2:00', 'UTC+2'])('rejects %j', (text) => {
    expect(parseUtcOffset(text)).toBeNull();
  });
});

describe('ISO-8601 timestamps (QuickTime)', () => {
  it('reads Apple creationdate with its offset', () => {
    const capture = captureFromIsoTimestamp(parseIsoTimestamp('2024-07-14T18:03:12+0200')!);
    expect(capture.takenAt.toISOString()).toBe('2024-07-14T16:03:12.000Z');
    expect(capture.offsetMinutes).toBe(120);
    expect(capture.local).toEqual({ year: 2024, month: 7, day: 14 });
  });

  it('reads fractions and colon offsets', () => {
    const capture = captureFromIsoTimestamp(parseIsoTimestamp('2024-07-14T18:03:12.25-03:00')!);
    expect(capture.takenAt.toISOString()).toBe('2024-07-14T21:03:12.250Z');
  });

  it('reads "Z" as an instant with no local offset, dated by UTC', () => {
    const capture = captureFromIsoTimestamp(parseIsoTimestamp('2024-07-14T23:30:00.000000Z')!);
    expect(capture.takenAt.toISOString()).toBe('2024-07-14T23:30:00.000Z');
    expect(capture.offsetMinutes).toBeNull();
    expect(capture.local).toEqual({ year: 2024, month: 7, day: 14 });
  });

  it('reads a zoneless timestamp as a wall clock', () => {
    expect(parseIsoTimestamp('2024-07-14 18:03:12')).toEqual({
      wallClock: { year: 2024, month: 7, day: 14, hour: 18, minute: 3, second: 12, millisecond: 0 },
      offset: null,
    });
  });

  it.each(['2024', '2024-07', '2024-07-14T18:03:12+2500', '2024-02-30T00:00:00Z', 'soon'])(
    'rejects %j',
    (text) => {
      expect(parseIsoTimestamp(text)).toBeNull();
    },
  );
});

describe('instants and plausibility', () => {
  it('dates an instant in its own zone', () => {
    const capture = captureFromInstant(new Date('2023-12-31T22:30:00Z'), 120);
    expect(capture.local).toEqual({ year: 2024, month: 1, day: 1 });
    expect(capture.takenAt.toISOString()).toBe('2023-12-31T22:30:00.000Z');
  });

  it('accepts 1970 up to a day after now', () => {
    const now = new Date('2026-11-21T10:00:00Z');
    expect(isPlausibleCaptureTime(new Date('1970-01-01T00:00:00Z'), now)).toBe(true);
    expect(isPlausibleCaptureTime(new Date('1969-12-31T23:59:59Z'), now)).toBe(false);
    expect(isPlausibleCaptureTime(new Date('2026-11-22T10:00:00Z'), now)).toBe(true);
    expect(isPlausibleCaptureTime(new Date('2026-11-22T10:00:01Z'), now)).toBe(false);
    expect(isPlausibleCaptureTime(new Date(Number.NaN), now)).toBe(false);
  });
});
