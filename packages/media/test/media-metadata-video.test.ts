// The date, length, size, rotation and camera of a video from its QuickTime atoms:
// com.apple.quicktime.creationdate, then ©day, then mvhd; AVI/MKV fall back to the client.
import { describe, expect, it } from 'vitest';
import { extractMediaMetadata, type MediaMetadata } from '../src/media-metadata.js';
import { buildMovie } from './fixtures/build-quicktime.js';
import { IPHONE_MOVIE } from './fixtures/media-files.js';
import { useTempFiles } from './fixtures/temp-files.js';

const NOW = new Date('2026-11-21T10:00:00.000Z');
const VIDEO = { mediaType: 'video', mime: 'video/quicktime' } as const;
const files = useTempFiles('video');
let counter = 0;

async function movieWith(
  spec: Parameters<typeof buildMovie>[0],
  fallback: { clientCreatedAt?: Date } = {},
): Promise<MediaMetadata> {
  counter += 1;
  const path = await files.write(`IMG_${counter}.MOV`, buildMovie(spec));
  return extractMediaMetadata(path, VIDEO, { now: NOW, ...fallback });
}

describe('capture date', () => {
  it('prefers com.apple.quicktime.creationdate with its offset: local date from the wall clock', async () => {
    const meta = await movieWith(IPHONE_MOVIE);
    expect(meta.takenAt.toISOString()).toBe('2024-07-14T16:03:12.000Z');
    expect(meta.takenAtOffsetMinutes).toBe(120);
    expect(meta.takenAtLocal).toEqual({ year: 2024, month: 7, day: 14 });
    expect(meta.takenAtSource).toBe('quicktime');
    expect(meta.warnings).toEqual([]);
  });

  it('files a creationdate just after local midnight under the local month', async () => {
    const meta = await movieWith({
      ...IPHONE_MOVIE,
      keys: { 'com.apple.quicktime.creationdate': '2024-01-01T00:30:00+0200' },
    });
    expect(meta.takenAt.toISOString()).toBe('2023-12-31T22:30:00.000Z');
    expect(meta.takenAtLocal).toEqual({ year: 2024, month: 1, day: 1 });
  });

  it('handles a negative offset in creationdate', async () => {
    const meta = await movieWith({
      keys: { 'com.apple.quicktime.creationdate': '2024-03-31T22:15:00-0500' },
    });
    expect(meta.takenAt.toISOString()).toBe('2024-04-01T03:15:00.000Z');
    expect(meta.takenAtOffsetMinutes).toBe(-300);
    expect(meta.takenAtLocal).toEqual({ year: 2024, month: 3, day: 31 });
  });

  it('falls back to udta ©day, QuickTime and iTunes styles', async () => {
    for (const userDataStyle of ['quicktime', 'itunes'] as const) {
      const meta = await movieWith({
        creationTime: new Date('2020-01-01T00:00:00Z'),
        userData: { day: '2023-05-06T07:08:09+0100' },
        userDataStyle,
      });
      expect(meta.takenAt.toISOString()).toBe('2023-05-06T06:08:09.000Z');
      expect(meta.takenAtOffsetMinutes).toBe(60);
      expect(meta.takenAtSource).toBe('quicktime');
    }
  });

  it('falls back to the mvhd creation time: a UTC instant, no local offset', async () => {
    for (const mvhdVersion of [0, 1] as const) {
      const meta = await movieWith({ creationTime: new Date('2022-12-31T23:30:00Z'), mvhdVersion });
      expect(meta.takenAt.toISOString()).toBe('2022-12-31T23:30:00.000Z');
      expect(meta.takenAtOffsetMinutes).toBeNull();
      expect(meta.takenAtLocal).toEqual({ year: 2022, month: 12, day: 31 });
      expect(meta.takenAtSource).toBe('quicktime');
    }
  });

  it('reads a ©day in UTC ("Z") as an instant with no known local offset', async () => {
    const meta = await movieWith({ userData: { day: '2023-05-06T23:30:00.000000Z' } });
    expect(meta.takenAt.toISOString()).toBe('2023-05-06T23:30:00.000Z');
    expect(meta.takenAtOffsetMinutes).toBeNull();
  });

  it('treats mvhd creation time 0 as unknown and uses the client date', async () => {
    const client = new Date('2024-02-29T12:00:00Z');
    const meta = await movieWith({ creationTime: 0 }, { clientCreatedAt: client });
    expect(meta.takenAtSource).toBe('client');
    expect(meta.takenAt.toISOString()).toBe(client.toISOString());
    expect(meta.warnings).toEqual([]);
  });

  it('skips a malformed creationdate (with a warning) for the next source', async () => {
    const meta = await movieWith({
      creationTime: new Date('2021-06-01T10:00:00Z'),
      keys: { 'com.apple.quicktime.creationdate': 'yesterday' },
    });
    expect(meta.takenAt.toISOString()).toBe('2021-06-01T10:00:00.000Z');
    expect(meta.warnings).toContain('com.apple.quicktime.creationdate is not an ISO-8601 date');
  });

  it('skips an mvhd time before 1970 (a camera whose clock was never set)', async () => {
    const meta = await movieWith(
      { creationTime: new Date('1904-01-02T00:00:00Z') },
      { clientCreatedAt: new Date('2024-02-29T12:00:00Z') },
    );
    expect(meta.takenAtSource).toBe('client');
  });
});

describe('duration, size, rotation, camera', () => {
  it('reads duration from mvhd, the video track size as stored and its rotation as an orientation', async () => {
    const meta = await movieWith(IPHONE_MOVIE);
    expect(meta.durationMs).toBe(12_500);
    expect([meta.width, meta.height]).toEqual([1920, 1080]);
    expect(meta.orientation).toBe(6);
    expect(meta.metadata.rotation).toBe(90);
    expect([meta.cameraMake, meta.cameraModel]).toEqual(['Apple', 'iPhone 15 Pro']);
    expect(meta.metadata).toMatchObject({ software: '17.5.1', creationDate: '2024-07-14T18:03:12+0200' });
    expect(meta.latitude).toBeCloseTo(48.8584, 6);
    expect(meta.longitude).toBeCloseTo(2.2945, 6);
  });

  it.each([
    [0, false, 1],
    [90, false, 6],
    [180, false, 3],
    [270, false, 8],
    [0, true, 2],
  ] as const)(
    'maps a %i° matrix (mirrored: %s) to EXIF orientation %i',
    async (rotation, mirrored, orientation) => {
      const meta = await movieWith({
        tracks: [{ handler: 'soun' }, { handler: 'vide', width: 3840, height: 2160, rotation, mirrored }],
      });
      expect(meta.orientation).toBe(orientation);
      expect([meta.width, meta.height]).toEqual([3840, 2160]);
    },
  );

  it('takes camera, place and date from udta atoms when there are no Apple keys', async () => {
    const meta = await movieWith({
      userData: {
        mak: 'Apple',
        mod: 'iPhone 6s',
        swr: '12.5.7',
        xyz: '+40.6892-074.0445/',
        day: '2016-08-01T12:00:00-0400',
      },
    });
    expect([meta.cameraMake, meta.cameraModel, meta.metadata.software]).toEqual([
      'Apple',
      'iPhone 6s',
      '12.5.7',
    ]);
    expect([meta.latitude, meta.longitude]).toEqual([40.6892, -74.0445]);
    expect(meta.takenAt.toISOString()).toBe('2016-08-01T16:00:00.000Z');
  });

  it('reads an MP4 with its moov first (fast start) the same way', async () => {
    const path = await files.write(
      'clip.mp4',
      buildMovie({ ...IPHONE_MOVIE, brand: 'mp42', moovFirst: true }),
    );
    const meta = await extractMediaMetadata(path, { mediaType: 'video', mime: 'video/mp4' }, { now: NOW });
    expect(meta.takenAt.toISOString()).toBe('2024-07-14T16:03:12.000Z');
    expect(meta.durationMs).toBe(12_500);
  });

  it('reports no duration for an mvhd whose duration is unknown', async () => {
    const meta = await movieWith({ duration: 0xffff_ffff });
    expect(meta.durationMs).toBeNull();
  });
});

describe('containers without QuickTime atoms', () => {
  it.each([
    [
      'AVI',
      'video/x-msvideo',
      Buffer.concat([Buffer.from('RIFF\x24\0\0\0AVI LIST', 'latin1'), Buffer.alloc(64)]),
    ],
    [
      'MKV',
      'video/x-matroska',
      Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]), Buffer.alloc(64)]),
    ],
  ])('falls back to the client date for %s', async (name, mime, bytes) => {
    const path = await files.write(`clip.${name.toLowerCase()}`, bytes);
    const client = new Date('2024-02-29T12:00:00Z');
    const meta = await extractMediaMetadata(
      path,
      { mediaType: 'video', mime },
      { now: NOW, clientCreatedAt: client },
    );
    expect(meta.takenAtSource).toBe('client');
    expect(meta.takenAt.toISOString()).toBe(client.toISOString());
    expect([meta.width, meta.durationMs]).toEqual([null, null]);
  });
});
