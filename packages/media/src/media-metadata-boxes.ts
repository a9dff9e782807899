// ISO base media file format boxes ("atoms" in QuickTime): the container of MOV, MP4, 3GP and
// HEIC/AVIF. A box is a 32-bit size, a four-character type, then its payload; size 1 means a
// 64-bit size follows, size 0 means "to the end of the file".
import type { RandomAccessFile } from './media-metadata-file.js';

export interface Box {
  type: string;
  /** Offset of the box's header. */
  start: number;
  /** Offset of its payload, after the (possibly 64-bit) header. */
  payloadStart: number;
  /** Offset one past its last byte. */
  end: number;
}

const MAX_TOP_LEVEL_BOXES = 4096;

function parseHeader(bytes: Buffer, at: number, start: number, limit: number): Box | null {
  if (at + 8 > bytes.length) return null;
  let size = bytes.readUInt32BE(at);
  const type = bytes.toString('latin1', at + 4, at + 8);
  let headerLength = 8;
  if (size === 1) {
    if (at + 16 > bytes.length) return null;
    const large = bytes.readBigUInt64BE(at + 8);
    if (large > BigInt(Number.MAX_SAFE_INTEGER)) return null;
    size = Number(large);
    headerLength = 16;
  } else if (size === 0) {
    size = limit - start;
  }
  if (size < headerLength || start + size > limit) return null;
  return { type, start, payloadStart: start + headerLength, end: start + size };
}

/**
 * The boxes laid end to end in `bytes` from `start` to `end`; stops quietly at the first one that
 * does not fit, so a truncated or corrupt parent yields the children that are whole.
 */
export function* childBoxes(bytes: Buffer, start: number, end = bytes.length): Generator<Box> {
  let offset = start;
  const limit = Math.min(end, bytes.length);
  while (offset + 8 <= limit) {
    const box = parseHeader(bytes, offset, offset, limit);
    if (!box) return;
    yield box;
    offset = box.end;
  }
}

export function findChildBox(bytes: Buffer, start: number, end: number, type: string): Box | undefined {
  for (const box of childBoxes(bytes, start, end)) if (box.type === type) return box;
  return undefined;
}

function isFourCharacterCode(type: string): boolean {
  return /^[\x20-\x7e\xa9]{4}$/.test(type);
}

/**
 * The top-level boxes of a file up to and including the first of type `until`, found by reading
 * only their headers: a 1 GiB `mdat` is stepped over, so a `moov` written at the end (as iPhones
 * do) costs two or three small reads. Stops at the first header that is not a box.
 */
export async function topLevelBoxesUntil(file: RandomAccessFile, until: string): Promise<Box[]> {
  const boxes: Box[] = [];
  let offset = 0;
  while (offset + 8 <= file.size && boxes.length < MAX_TOP_LEVEL_BOXES) {
    const header = await file.read(offset, 16);
    const box = parseHeader(header, 0, offset, file.size);
    if (!box || !isFourCharacterCode(box.type)) break;
    boxes.push(box);
    if (box.type === until) break;
    offset = box.end;
  }
  return boxes;
}

/** A full box's version (its payload's first byte; flags follow in three bytes). */
export function fullBoxVersion(bytes: Buffer, box: Box): number {
  return box.payloadStart < bytes.length ? bytes.readUInt8(box.payloadStart) : -1;
}

/** An unsigned big-endian integer of 0, 1, 2, 4 or 8 bytes (iloc's variable-width fields). */
export function readUnsigned(bytes: Buffer, at: number, width: number): number {
  switch (width) {
    case 0:
      return 0;
    case 1:
      return bytes.readUInt8(at);
    case 2:
      return bytes.readUInt16BE(at);
    case 4:
      return bytes.readUInt32BE(at);
    case 8: {
      const value = bytes.readBigUInt64BE(at);
      if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('64-bit value out of range');
      return Number(value);
    }
    default:
      throw new RangeError(`unsupported field width ${width}`);
  }
}
