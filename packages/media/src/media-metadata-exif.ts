// EXIF (a TIFF structure) to facts: capture time with its offset, camera, GPS, orientation and
// a few exposure values. exifr parses the TIFF; we only ever hand it the bytes of the EXIF block,
// already cut out of the container, so it never opens the file or reads what we do not need.
import exifr from 'exifr';
import {
  cleanText,
  exifOrientation,
  finiteNumber,
  keepMetadata,
  pixelDimension,
  validCoordinates,
  type MediaFacts,
} from './media-metadata-facts.js';
import { captureFromWallClock, parseExifDateTime, parseUtcOffset } from './media-metadata-time.js';

// Tag numbers, so that output keys do not depend on exifr's naming.
const IFD0 = {
  newSubfileType: 0x00fe,
  imageWidth: 0x0100,
  imageHeight: 0x0101,
  make: 0x010f,
  model: 0x0110,
  orientation: 0x0112,
  software: 0x0131,
} as const;
const EXIF = {
  exposureTime: 0x829a,
  fNumber: 0x829d,
  iso: 0x8827,
  dateTimeOriginal: 0x9003,
  createDate: 0x9004,
  offsetTime: 0x9010,
  offsetTimeOriginal: 0x9011,
  offsetTimeDigitized: 0x9012,
  focalLength: 0x920a,
  subSecTimeOriginal: 0x9291,
  subSecTimeDigitized: 0x9292,
  pixelXDimension: 0xa002,
  pixelYDimension: 0xa003,
  focalLengthIn35mmFormat: 0xa405,
  lensMake: 0xa433,
  lensModel: 0xa434,
} as const;
const GPS = {
  latitudeRef: 0x0001,
  latitude: 0x0002,
  longitudeRef: 0x0003,
  longitude: 0x0004,
  altitudeRef: 0x0005,
  altitude: 0x0006,
} as const;

// One frozen object: exifr caches its parsed options by identity. Raw values (no reviving):
// exifr would turn dates into Dates in the server's own zone, and orientations into prose.
const EXIFR_OPTIONS = Object.freeze({
  tiff: true,
  ifd0: { pick: Object.values(IFD0) },
  exif: { pick: Object.values(EXIF) },
  gps: { pick: Object.values(GPS) },
  ifd1: false,
  interop: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  makerNote: false,
  userComment: false,
  translateKeys: false,
  translateValues: false,
  reviveValues: false,
  sanitize: true,
  mergeOutput: false,
  silentErrors: true,
});

type TagBlock = Record<number, unknown>;

export interface ExifTags {
  ifd0: TagBlock;
  exif: TagBlock;
  gps: TagBlock;
}

function block(value: unknown): TagBlock {
  return typeof value === 'object' && value !== null ? (value as TagBlock) : {};
}

// Bytes per value of TIFF types 1..13 (BYTE, ASCII, SHORT, LONG, RATIONAL, …, IFD).
const TIFF_TYPE_SIZES = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];
const SUB_IFD_POINTERS = new Set([0x8769, 0x8825]);
const LONG_TYPE = 4;
const IFD_TYPE = 13;

/**
 * Makes a corrupt or hostile EXIF block cheap for exifr, which trusts it: it allocates an array
 * of a tag's declared count before reading (one bit flip can declare 500 million SHORTs), and an
 * Exif/GPS pointer that is not a single LONG sends it through a loop of string arithmetic. Values
 * that would run past the block get a count of 0 (read as empty); broken pointers in IFD0 are
 * renumbered to tag 0, which nothing picks. Copies the block only when something needs fixing.
 */
export function withSafeTiffStructure(tiff: Buffer): Buffer {
  if (tiff.length < 8) return tiff;
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (le ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (le ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  // Offsets of 16-bit tag numbers and 32-bit counts to zero; zero reads the same in both byte orders.
  const zeroTags: number[] = [];
  const zeroCounts: number[] = [];
  const scan = (ifd: number, isIfd0: boolean): number[] => {
    const subIfds: number[] = [];
    if (ifd < 8 || ifd + 2 > tiff.length) return subIfds;
    const entries = u16(ifd);
    for (let index = 0; index < entries; index += 1) {
      const entry = ifd + 2 + index * 12;
      if (entry + 12 > tiff.length) break;
      const type = u16(entry + 2);
      const count = u32(entry + 4);
      const value = u32(entry + 8);
      if (isIfd0 && SUB_IFD_POINTERS.has(u16(entry))) {
        const valid =
          (type === LONG_TYPE || type === IFD_TYPE) && count === 1 && value >= 8 && value + 2 <= tiff.length;
        if (valid) subIfds.push(value);
        else zeroTags.push(entry);
        continue;
      }
      const size = (TIFF_TYPE_SIZES[type] ?? 0) * count;
      if (size > 4 && value + size > tiff.length) zeroCounts.push(entry + 4);
    }
    return subIfds;
  };
  for (const subIfd of scan(u32(4), true)) scan(subIfd, false);
  if (zeroTags.length === 0 && zeroCounts.length === 0) return tiff;
  const fixed = Buffer.from(tiff);
  for (const at of zeroTags) fixed.writeUInt16BE(0, at);
  for (const at of zeroCounts) fixed.writeUInt32BE(0, at);
  return fixed;
}

/** The tags we keep from a TIFF/EXIF block; empty blocks when it cannot be parsed. */
export async function parseExifTags(tiff: Buffer): Promise<ExifTags> {
  const output: unknown = await exifr.parse(withSafeTiffStructure(tiff), EXIFR_OPTIONS);
  const parsed = (typeof output === 'object' && output !== null ? output : {}) as Record<string, unknown>;
  return { ifd0: block(parsed.ifd0), exif: block(parsed.exif), gps: block(parsed.gps) };
}

function gpsDegrees(value: unknown, ref: unknown, negativeRef: string): number | null {
  // [degrees, minutes, seconds] as rationals; a lone number is already decimal degrees.
  const parts =
    Array.isArray(value) || ArrayBuffer.isView(value) ? Array.from(value as ArrayLike<unknown>) : [value];
  if (parts.length === 0 || parts.length > 3 || !parts.every((part) => finiteNumber(part) !== null))
    return null;
  const [degrees = 0, minutes = 0, seconds = 0] = parts as number[];
  const decimal = degrees + minutes / 60 + seconds / 3600;
  return cleanText(ref)?.toUpperCase().startsWith(negativeRef) ? -decimal : decimal;
}

function addCaptureTimes(facts: MediaFacts, exif: TagBlock): void {
  // Each date with its own offset tag first; cameras that write one offset tag write it for all.
  const sources = [
    {
      tag: 'DateTimeOriginal',
      date: EXIF.dateTimeOriginal,
      subSeconds: EXIF.subSecTimeOriginal,
      offset: EXIF.offsetTimeOriginal,
    },
    {
      tag: 'CreateDate',
      date: EXIF.createDate,
      subSeconds: EXIF.subSecTimeDigitized,
      offset: EXIF.offsetTimeDigitized,
    },
  ];
  const anyOffset = [EXIF.offsetTimeOriginal, EXIF.offsetTimeDigitized, EXIF.offsetTime]
    .map((tag) => parseUtcOffset(exif[tag]))
    .find((offset) => offset !== null);
  for (const source of sources) {
    const raw = exif[source.date];
    if (raw === undefined) continue;
    const wallClock = parseExifDateTime(raw, exif[source.subSeconds]);
    if (!wallClock) {
      facts.warnings.push(`EXIF ${source.tag} is not a date`);
      continue;
    }
    const offset = parseUtcOffset(exif[source.offset]) ?? anyOffset ?? null;
    facts.captureCandidates.push({
      source: 'exif',
      tag: source.tag,
      time: captureFromWallClock(wallClock, offset),
    });
  }
}

/**
 * Merges EXIF tags into `facts`. Sizes the container already gave (what is stored) win over
 * EXIF's PixelXDimension, which editors often leave stale.
 */
export function applyExifTags(facts: MediaFacts, tags: ExifTags): void {
  const { ifd0, exif, gps } = tags;
  addCaptureTimes(facts, exif);

  facts.cameraMake ??= cleanText(ifd0[IFD0.make]);
  facts.cameraModel ??= cleanText(ifd0[IFD0.model]);
  facts.orientation = exifOrientation(ifd0[IFD0.orientation]) ?? facts.orientation;
  if (facts.width === null || facts.height === null) {
    const width = pixelDimension(exif[EXIF.pixelXDimension]);
    const height = pixelDimension(exif[EXIF.pixelYDimension]);
    // IFD0's size is the main picture only when it is not flagged as a reduced copy (DNG previews).
    const ifd0IsMain = (finiteNumber(ifd0[IFD0.newSubfileType]) ?? 0) === 0;
    facts.width = width ?? (ifd0IsMain ? pixelDimension(ifd0[IFD0.imageWidth]) : null);
    facts.height = height ?? (ifd0IsMain ? pixelDimension(ifd0[IFD0.imageHeight]) : null);
    if (facts.width === null || facts.height === null) facts.width = facts.height = null;
  }

  const point = validCoordinates(
    gpsDegrees(gps[GPS.latitude], gps[GPS.latitudeRef], 'S'),
    gpsDegrees(gps[GPS.longitude], gps[GPS.longitudeRef], 'W'),
  );
  if (point) {
    facts.latitude = point.latitude;
    facts.longitude = point.longitude;
    const altitude = finiteNumber(gps[GPS.altitude]);
    // AltitudeRef 1 means below sea level.
    if (altitude !== null)
      facts.metadata.altitude = finiteNumber(gps[GPS.altitudeRef]) === 1 ? -altitude : altitude;
  } else if (gps[GPS.latitude] !== undefined || gps[GPS.longitude] !== undefined) {
    facts.warnings.push('EXIF GPS position out of range or malformed');
  }

  const { metadata } = facts;
  keepMetadata(metadata, 'lensMake', exif[EXIF.lensMake]);
  keepMetadata(metadata, 'lensModel', exif[EXIF.lensModel]);
  keepMetadata(metadata, 'iso', finiteNumber(exif[EXIF.iso]));
  keepMetadata(metadata, 'exposureTime', finiteNumber(exif[EXIF.exposureTime]));
  keepMetadata(metadata, 'fNumber', finiteNumber(exif[EXIF.fNumber]));
  keepMetadata(metadata, 'focalLength', finiteNumber(exif[EXIF.focalLength]));
  keepMetadata(metadata, 'focalLengthIn35mmFormat', finiteNumber(exif[EXIF.focalLengthIn35mmFormat]));
  keepMetadata(metadata, 'software', ifd0[IFD0.software]);
  keepMetadata(metadata, 'dateTimeOriginal', exif[EXIF.dateTimeOriginal]);
  keepMetadata(metadata, 'offsetTimeOriginal', exif[EXIF.offsetTimeOriginal]);
}
