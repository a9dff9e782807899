// Capture time, duration, frame size, rotation, place and camera of a QuickTime/MP4 video, read
// from its `moov` atom alone — wherever in the file it is — without touching the media data.
import {
  childBoxes,
  findChildBox,
  fullBoxVersion,
  topLevelBoxesUntil,
  type Box,
} from './media-metadata-boxes.js';
import {
  cleanText,
  emptyFacts,
  keepMetadata,
  orientationFromMatrix,
  pixelDimension,
  type MediaFacts,
} from './media-metadata-facts.js';
import type { RandomAccessFile } from './media-metadata-file.js';
import { parseIso6709 } from './media-metadata-iso6709.js';
import { captureFromInstant, captureFromIsoTimestamp, parseIsoTimestamp } from './media-metadata-time.js';

/** Ample for hours of 4K: the sample tables, the bulk of a moov, grow by a few bytes a frame. */
export const MOOV_READ_LIMIT = 16 * 1024 * 1024;

// mvhd counts seconds from 1904-01-01T00:00:00Z.
const QUICKTIME_EPOCH_OFFSET_S = 2_082_844_800;
const FIXED_16_16 = 65_536;
const UTF8 = 1;
const UTF16 = 2;

interface MovieHeader {
  creationTime: Date | null;
  durationMs: number | null;
}

interface VideoTrack {
  width: number | null;
  height: number | null;
  orientation: number | null;
  rotationDegrees: number | null;
}

function readMovieHeader(moov: Buffer, box: Box): MovieHeader {
  const at = box.payloadStart;
  const version = fullBoxVersion(moov, box);
  const long = version === 1;
  if (at + (long ? 32 : 20) > box.end) return { creationTime: null, durationMs: null };
  const created = long ? Number(moov.readBigUInt64BE(at + 4)) : moov.readUInt32BE(at + 4);
  const timescale = moov.readUInt32BE(at + (long ? 20 : 12));
  const duration = long ? moov.readBigUInt64BE(at + 24) : BigInt(moov.readUInt32BE(at + 16));
  const unknownDuration = long ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn;
  return {
    // 0 is the format's "not set"; a clock before 1970 is caught by the plausibility check.
    creationTime: created === 0 ? null : new Date((created - QUICKTIME_EPOCH_OFFSET_S) * 1000),
    durationMs:
      timescale === 0 || duration === 0n || duration === unknownDuration
        ? null
        : Math.round((Number(duration) * 1000) / timescale),
  };
}

function readTrackHeader(moov: Buffer, box: Box): VideoTrack | null {
  const long = fullBoxVersion(moov, box) === 1;
  const matrixAt = box.payloadStart + (long ? 52 : 40);
  if (matrixAt + 44 > box.end) return null;
  const [a, b, c, d] = [0, 4, 12, 16].map((offset) => moov.readInt32BE(matrixAt + offset) / FIXED_16_16) as [
    number,
    number,
    number,
    number,
  ];
  const orientation = orientationFromMatrix(a, b, c, d);
  const rotation = Math.round((Math.atan2(b, a) * 180) / Math.PI);
  return {
    width: pixelDimension(Math.round(moov.readUInt32BE(matrixAt + 36) / FIXED_16_16)),
    height: pixelDimension(Math.round(moov.readUInt32BE(matrixAt + 40) / FIXED_16_16)),
    orientation,
    rotationDegrees: orientation === null ? null : (rotation + 360) % 360,
  };
}

function handlerType(moov: Buffer, trak: Box): string | null {
  const mdia = findChildBox(moov, trak.payloadStart, trak.end, 'mdia');
  const hdlr = mdia && findChildBox(moov, mdia.payloadStart, mdia.end, 'hdlr');
  if (!hdlr || hdlr.payloadStart + 12 > hdlr.end) return null;
  // version+flags, then QuickTime's component type ("mhlr") or MP4's pre_defined, then the subtype.
  return moov.toString('latin1', hdlr.payloadStart + 8, hdlr.payloadStart + 12);
}

/** The first track that shows pictures: its handler says 'vide', or failing that it has a size. */
function findVideoTrack(moov: Buffer): VideoTrack | null {
  let sized: VideoTrack | null = null;
  for (const trak of childBoxes(moov, 0, moov.length)) {
    if (trak.type !== 'trak') continue;
    const tkhd = findChildBox(moov, trak.payloadStart, trak.end, 'tkhd');
    const track = tkhd ? readTrackHeader(moov, tkhd) : null;
    if (!track) continue;
    if (handlerType(moov, trak) === 'vide') return track;
    if (!sized && track.width !== null && track.height !== null) sized = track;
  }
  return sized;
}

/** The value of an iTunes-style `data` atom: [size]['data'][type: 1 byte 0 + 3 bytes][locale][value]. */
function dataAtomText(bytes: Buffer, box: Box): string | null {
  const data = findChildBox(bytes, box.payloadStart, box.end, 'data');
  if (!data || data.payloadStart + 8 > data.end) return null;
  const wellKnownType = bytes.readUInt32BE(data.payloadStart) & 0xff_ffff;
  const value = bytes.subarray(data.payloadStart + 8, data.end);
  if (wellKnownType === UTF8) return value.toString('utf8');
  if (wellKnownType === UTF16)
    return Buffer.from(value.subarray(0, value.length & ~1))
      .swap16()
      .toString('utf16le');
  return null;
}

/** Apple's metadata: `meta` → `keys` (names) + `ilst` (values, each atom typed by its key's index). */
function readMetadataKeys(moov: Buffer, meta: Box): Map<string, string> {
  const values = new Map<string, string>();
  // QuickTime's meta is a plain container; ISO's is a full box with four bytes of version+flags.
  const start =
    moov.toString('latin1', meta.payloadStart + 4, meta.payloadStart + 8) === 'hdlr'
      ? meta.payloadStart
      : meta.payloadStart + 4;
  const keys = findChildBox(moov, start, meta.end, 'keys');
  const ilst = findChildBox(moov, start, meta.end, 'ilst');
  if (!keys || !ilst || keys.payloadStart + 8 > keys.end) return values;
  const names: string[] = [];
  const count = moov.readUInt32BE(keys.payloadStart + 4);
  let at = keys.payloadStart + 8;
  for (let index = 0; index < count && at + 8 <= keys.end; index += 1) {
    const size = moov.readUInt32BE(at);
    if (size < 8 || at + size > keys.end) break;
    names.push(moov.toString('utf8', at + 8, at + size));
    at += size;
  }
  for (const item of childBoxes(moov, ilst.payloadStart, ilst.end)) {
    const name = names[moov.readUInt32BE(item.start + 4) - 1];
    const text = name === undefined ? null : dataAtomText(moov, item);
    if (name !== undefined && text !== null && !values.has(name)) values.set(name, text);
  }
  return values;
}

/**
 * `udta` text atoms (`©day`, `©xyz`, `©mak`…): QuickTime's form is [length][language][text];
 * MP4 writers put an iTunes `data` atom there instead, or an iTunes list in `udta/meta/ilst`.
 */
function readUserData(moov: Buffer, udta: Box): Map<string, string> {
  const values = new Map<string, string>();
  const meta = findChildBox(moov, udta.payloadStart, udta.end, 'meta');
  const ilst = meta && findChildBox(moov, meta.payloadStart + 4, meta.end, 'ilst');
  const items = [
    ...childBoxes(moov, udta.payloadStart, udta.end),
    ...(ilst ? childBoxes(moov, ilst.payloadStart, ilst.end) : []),
  ];
  for (const item of items) {
    if (!item.type.startsWith('\xa9')) continue;
    const name = `©${item.type.slice(1)}`;
    let text: string | null = null;
    if (
      item.payloadStart + 8 <= item.end &&
      moov.toString('latin1', item.payloadStart + 4, item.payloadStart + 8) === 'data'
    ) {
      text = dataAtomText(moov, item);
    } else if (item.payloadStart + 4 <= item.end) {
      const length = moov.readUInt16BE(item.payloadStart);
      const textEnd = Math.min(item.payloadStart + 4 + length, item.end);
      text = moov.toString('utf8', item.payloadStart + 4, textEnd);
    }
    if (text !== null && !values.has(name)) values.set(name, text);
  }
  return values;
}

function addCaptureTime(facts: MediaFacts, tag: string, text: string | undefined): void {
  if (text === undefined) return;
  const timestamp = parseIsoTimestamp(text);
  if (timestamp)
    facts.captureCandidates.push({ source: 'quicktime', tag, time: captureFromIsoTimestamp(timestamp) });
  else facts.warnings.push(`${tag} is not an ISO-8601 date`);
}

function applyMoov(facts: MediaFacts, moov: Buffer): void {
  const mvhd = findChildBox(moov, 0, moov.length, 'mvhd');
  const header = mvhd ? readMovieHeader(moov, mvhd) : { creationTime: null, durationMs: null };
  const meta = findChildBox(moov, 0, moov.length, 'meta');
  const udta = findChildBox(moov, 0, moov.length, 'udta');
  const keys = meta ? readMetadataKeys(moov, meta) : new Map<string, string>();
  const userData = udta ? readUserData(moov, udta) : new Map<string, string>();

  addCaptureTime(facts, 'com.apple.quicktime.creationdate', keys.get('com.apple.quicktime.creationdate'));
  addCaptureTime(facts, '©day', userData.get('©day'));
  if (header.creationTime) {
    facts.captureCandidates.push({
      source: 'quicktime',
      tag: 'mvhd',
      time: captureFromInstant(header.creationTime, null),
    });
  }
  facts.durationMs = header.durationMs;

  const track = findVideoTrack(moov);
  if (track) {
    facts.width = track.width;
    facts.height = track.height;
    facts.orientation = track.orientation;
    if (track.rotationDegrees !== null) facts.metadata.rotation = track.rotationDegrees;
  }

  const location = keys.get('com.apple.quicktime.location.ISO6709') ?? userData.get('©xyz');
  const point = location === undefined ? null : parseIso6709(location);
  if (point) {
    facts.latitude = point.latitude;
    facts.longitude = point.longitude;
    if (point.altitude !== null) facts.metadata.altitude = point.altitude;
  } else if (location !== undefined) {
    facts.warnings.push('location is not an ISO 6709 point');
  }

  facts.cameraMake = cleanText(keys.get('com.apple.quicktime.make') ?? userData.get('©mak'));
  facts.cameraModel = cleanText(keys.get('com.apple.quicktime.model') ?? userData.get('©mod'));
  keepMetadata(facts.metadata, 'software', keys.get('com.apple.quicktime.software') ?? userData.get('©swr'));
  keepMetadata(
    facts.metadata,
    'creationDate',
    keys.get('com.apple.quicktime.creationdate') ?? userData.get('©day'),
  );
}

/**
 * What a MOV/MP4/M4V/3GP file says about itself. Walks the top-level atoms by their headers
 * (the media data is never read), then reads the `moov` atom — at most MOOV_READ_LIMIT of it.
 */
export async function readQuickTimeFacts(file: RandomAccessFile): Promise<MediaFacts> {
  const facts = emptyFacts();
  const boxes = await topLevelBoxesUntil(file, 'moov');
  const moov = boxes.find((box) => box.type === 'moov');
  if (!moov) {
    facts.warnings.push(boxes.length === 0 ? 'not a QuickTime/MP4 file' : 'no moov atom');
    return facts;
  }
  const length = moov.end - moov.payloadStart;
  if (length > MOOV_READ_LIMIT) facts.warnings.push('moov atom larger than the read limit; read in part');
  // No read-ahead: the window becomes exactly the moov, and nothing is read after it.
  const bytes = await file.read(moov.payloadStart, Math.min(length, MOOV_READ_LIMIT), 0);
  applyMoov(facts, bytes);
  return facts;
}
