// The readers held against exiftool (Debian's libimage-exiftool-perl), the reference reader of
// photo and video metadata, on every media file of the tests: date taken with its offset,
// dimensions, orientation, GPS and duration. Where the two legitimately differ, the relationship
// is asserted instead, and said at the place it is checked.
import { execFileSync, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { extractMediaMetadata, type MediaMetadata } from '../src/index.js';
import { MEDIA_FILES, shippedPath } from './fixtures/media-files.js';
import { useTempFiles } from './fixtures/temp-files.js';

type ExiftoolTags = Record<string, string | number | undefined>;

const NOW = new Date('2026-11-21T10:00:00.000Z');
const hasExiftool = spawnSync('exiftool', ['-ver'], { stdio: 'ignore' }).status === 0;
// CI provides every tool its tests need (.ci/run installs exiftool): there, no exiftool is a failure.
const strict = process.env.CI === 'true' || process.env.ICLOOD_STRICT_SKIPS === '1';

if (!hasExiftool) {
  if (strict) {
    it('has exiftool to compare with', () => {
      expect.fail('exiftool is not on PATH: apt-get install libimage-exiftool-perl (.ci/run does)');
    });
  } else {
    console.warn(
      'exiftool-conformance: SKIPPED, exiftool is not on PATH (apt-get install libimage-exiftool-perl)',
    );
  }
}

/** A moment as the camera's clock showed it, to the millisecond, and that clock's UTC offset. */
interface ClockReading {
  wallClock: string;
  offsetMinutes: number | null;
}

/** "2024:07:14 18:03:12[.123][+02:00|Z]" as exiftool prints dates. */
function parseExiftoolDate(text: string | number | undefined): ClockReading | null {
  if (typeof text !== 'string' || text.startsWith('0000:00:00')) return null;
  const match = /^(\d{4}):(\d\d):(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec(text);
  if (!match) throw new Error(`exiftool date not understood: ${text}`);
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const millis = (fraction ?? '').padEnd(3, '0').slice(0, 3);
  return {
    wallClock: `${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}`,
    offsetMinutes: zone === undefined ? null : parseOffset(zone),
  };
}

function parseOffset(text: string | number | undefined): number | null {
  if (typeof text !== 'string') return null;
  if (text === 'Z') return 0;
  const match = /^([+-])(\d\d):(\d\d)$/.exec(text);
  if (!match) return null;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** Ours, read the same way: the instant shown on the camera's clock (UTC's when no zone is known). */
function ourClockReading(meta: MediaMetadata): ClockReading | null {
  if (meta.takenAtSource !== 'exif' && meta.takenAtSource !== 'quicktime') return null;
  const shown = new Date(meta.takenAt.getTime() + (meta.takenAtOffsetMinutes ?? 0) * 60_000);
  return { wallClock: shown.toISOString().slice(0, -1), offsetMinutes: meta.takenAtOffsetMinutes };
}

/** The capture date exiftool reads, in the order the readers prefer the tags. */
function exiftoolCaptureTime(tags: ExiftoolTags, mediaType: 'photo' | 'video'): ClockReading | null {
  if (mediaType === 'video') {
    // Apple's creationdate key, then udta ©day, both with their offset; then mvhd, which is UTC
    // (exiftool prints it unconverted, as ours keeps no zone for it).
    return (
      parseExiftoolDate(tags['QuickTime:CreationDate']) ??
      parseExiftoolDate(tags['QuickTime:ContentCreateDate']) ??
      parseExiftoolDate(tags['QuickTime:CreateDate'])
    );
  }
  // exiftool's SubSec composites join the date, its sub-seconds and the date's OWN offset tag.
  // A legitimate difference: when that tag is missing, ours takes the zone from the file's other
  // offset tags (a camera that writes one offset writes the same for all its dates), so the
  // expected offset falls back the same way, over tags exiftool did read.
  const sources = [
    {
      date: tags['Composite:SubSecDateTimeOriginal'] ?? tags['EXIF:DateTimeOriginal'],
      offsets: ['EXIF:OffsetTimeOriginal', 'EXIF:OffsetTimeDigitized', 'EXIF:OffsetTime'],
    },
    {
      date: tags['Composite:SubSecCreateDate'] ?? tags['EXIF:CreateDate'],
      offsets: ['EXIF:OffsetTimeDigitized', 'EXIF:OffsetTimeOriginal', 'EXIF:OffsetTime'],
    },
  ];
  for (const { date, offsets } of sources) {
    const reading = parseExiftoolDate(date);
    if (!reading) continue;
    const offsetMinutes =
      reading.offsetMinutes ?? offsets.map((tag) => parseOffset(tags[tag])).find((o) => o !== null) ?? null;
    return { ...reading, offsetMinutes };
  }
  return null;
}

/** EXIF orientation for a clockwise turn of the picture (a video's track matrix). */
const CLOCKWISE: Record<number, number> = { 0: 1, 90: 6, 180: 3, 270: 8 };
/** EXIF orientation for HEIF's `irot`, which exiftool prints as anticlockwise degrees. */
const ANTICLOCKWISE: Record<number, number> = { 0: 1, 90: 8, 180: 3, 270: 6 };
/** Orientations that mirror, by whether they also turn the picture a quarter. */
const MIRRORED = { quarter: [5, 7], none: [2, 4] };

describe.skipIf(!hasExiftool)('the readers agree with exiftool', () => {
  const files = useTempFiles('exiftool-conformance');
  const read = new Map<string, { ours: MediaMetadata; exiftool: ExiftoolTags }>();

  beforeAll(async () => {
    const paths = new Map<string, string>();
    for (const file of MEDIA_FILES) {
      paths.set(
        file.name,
        file.shipped ? shippedPath(file.shipped) : await files.write(file.name, file.bytes!()),
      );
    }
    // One run for every file; -n: numbers as stored (signed decimal degrees, seconds, 1..8).
    const output = execFileSync('exiftool', ['-json', '-n', '-G', ...paths.values()], {
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    const bySource = new Map(
      (JSON.parse(output) as ExiftoolTags[]).map((tags) => [tags['SourceFile'] as string, tags]),
    );
    for (const file of MEDIA_FILES) {
      const path = paths.get(file.name)!;
      const ours = await extractMediaMetadata(path, file.kind, { now: NOW });
      read.set(file.name, { ours, exiftool: bySource.get(path)! });
    }
  });

  it('covers the shipped iPhone HEIC and MOV and every built container', () => {
    expect(MEDIA_FILES.length).toBeGreaterThanOrEqual(20);
    const mimes = new Set(MEDIA_FILES.map((file) => file.kind.mime));
    expect([...mimes].sort()).toEqual([
      'image/heic',
      'image/jpeg',
      'image/png',
      'image/webp',
      'video/mp4',
      'video/quicktime',
    ]);
    expect(MEDIA_FILES.filter((file) => file.shipped).map((file) => file.name)).toEqual([
      'rotated-64x48.heic',
      'testsrc-64x48.mp4',
      'testsrc-portrait.mov',
    ]);
  });

  describe.each(MEDIA_FILES.map((file) => [file.name, file] as const))('%s', (name, file) => {
    const get = () => read.get(name)!;

    it('is read by exiftool without an error, and by ours without a warning', () => {
      const { ours, exiftool } = get();
      expect(exiftool['ExifTool:Error']).toBeUndefined();
      // The only warning exiftool gives on these files: that -ee could look into the media data.
      expect(String(exiftool['ExifTool:Warning'] ?? '[minor]')).toMatch(/^\[minor\]/);
      expect(ours.warnings).toEqual([]);
    });

    it('has the same date taken, offset included', () => {
      const { ours, exiftool } = get();
      const expected = exiftoolCaptureTime(exiftool, file.kind.mediaType);
      expect(ourClockReading(ours)).toEqual(expected);
      // No date in the file: ours falls back to the upload time, never invents one.
      if (expected === null) expect(ours.takenAtSource).toBe('upload-time');
    });

    it('has the same dimensions: both the size as stored, before orientation', () => {
      const { ours, exiftool } = get();
      // exiftool's ImageSize is the stored size too (JPEG SOF, PNG IHDR, WebP VP8X, HEIF ispe, the
      // video track's tkhd); a stale EXIF PixelXDimension (the PNG and WebP here) is ignored by both.
      const [width, height] = String(exiftool['Composite:ImageSize']).split(' ').map(Number);
      expect([ours.width, ours.height]).toEqual([width, height]);
    });

    it('has the same orientation', () => {
      const { ours, exiftool } = get();
      if (file.kind.mediaType === 'video') {
        // exiftool gives the track matrix as a clockwise rotation, ours as the EXIF orientation
        // that shows the frame upright. exiftool's Rotation leaves out a mirroring (a front
        // camera's matrix with a negative determinant): then ours is a mirrored orientation.
        const rotation = Number(exiftool['Composite:Rotation'] ?? 0);
        const [a, b, , c, d] = String(exiftool['QuickTime:MatrixStructure'] ?? '1 0 0 0 1 0 0 0 1')
          .split(' ')
          .map(Number) as [number, number, number, number, number];
        if (a * d - b * c < 0) {
          expect(MIRRORED[rotation % 180 === 90 ? 'quarter' : 'none']).toContain(ours.orientation);
        } else {
          expect(ours.orientation).toBe(CLOCKWISE[rotation]);
        }
        return;
      }
      // Photos: EXIF Orientation, else HEIF's irot (exiftool: anticlockwise degrees); neither: none.
      const exif = exiftool['EXIF:Orientation'];
      const irot = exiftool['QuickTime:Rotation'];
      const expected =
        exif !== undefined ? Number(exif) : irot !== undefined ? ANTICLOCKWISE[Number(irot)] : null;
      expect(ours.orientation).toBe(expected);
      // Where a HEIC has both, they say the same turn (an iPhone writes both).
      if (exif !== undefined && irot !== undefined) expect(ANTICLOCKWISE[Number(irot)]).toBe(Number(exif));
    });

    it('has the same GPS position, to 1e-5 degrees', () => {
      const { ours, exiftool } = get();
      const latitude = exiftool['Composite:GPSLatitude'];
      const longitude = exiftool['Composite:GPSLongitude'];
      if (latitude === undefined || longitude === undefined) {
        expect([ours.latitude, ours.longitude]).toEqual([null, null]);
        return;
      }
      expect(Math.abs(ours.latitude! - Number(latitude))).toBeLessThan(1e-5);
      expect(Math.abs(ours.longitude! - Number(longitude))).toBeLessThan(1e-5);
    });

    it('has the same duration, to 0.01 s', () => {
      const { ours, exiftool } = get();
      const duration = exiftool['QuickTime:Duration'];
      if (file.kind.mediaType === 'photo' || duration === undefined) {
        expect(ours.durationMs).toBeNull();
        return;
      }
      expect(ours.durationMs).not.toBeNull();
      expect(Math.abs(ours.durationMs! / 1000 - Number(duration))).toBeLessThan(0.01);
    });
  });
});
