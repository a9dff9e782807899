// Still-image containers: find where each keeps its EXIF block and its stored pixel size, by
// walking segment/chunk headers with positioned reads. A 3 MB JPEG costs one 64 KiB read.
import { applyExifTags, parseExifTags } from './media-metadata-exif.js';
import { emptyFacts, pixelDimension, type MediaFacts } from './media-metadata-facts.js';
import type { RandomAccessFile } from './media-metadata-file.js';
import { EXIF_READ_LIMIT, readHeifContainer } from './media-metadata-heif.js';

const HEAD_LENGTH = 64 * 1024;
// A TIFF/DNG keeps IFD0 and the EXIF IFD near its start; offsets past this are not followed.
const TIFF_READ_LIMIT = 1024 * 1024;
const MAX_JPEG_SEGMENTS = 512;
const MAX_PNG_CHUNKS = 100_000;
const MAX_WEBP_CHUNKS = 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface PhotoContainer {
  tiff: Buffer | null;
  width: number | null;
  height: number | null;
  orientation: number | null;
  warnings: string[];
}

function container(tiff: Buffer | null = null): PhotoContainer {
  return { tiff, width: null, height: null, orientation: null, warnings: [] };
}

/** Sets the stored size when both sides are sane. */
function setSize(found: PhotoContainer, width: unknown, height: unknown): PhotoContainer {
  const w = pixelDimension(width);
  const h = pixelDimension(height);
  if (w !== null && h !== null) {
    found.width = w;
    found.height = h;
  }
  return found;
}

/** Strips the "Exif\0\0" that some writers put before the TIFF header in PNG and WebP. */
function withoutExifPrefix(bytes: Buffer): Buffer {
  return bytes.toString('latin1', 0, 4) === 'Exif' ? bytes.subarray(6) : bytes;
}

function isStartOfFrame(marker: number): boolean {
  // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

async function readJpeg(file: RandomAccessFile): Promise<PhotoContainer> {
  const found = container();
  let offset = 2;
  for (let segment = 0; segment < MAX_JPEG_SEGMENTS && offset + 4 <= file.size; segment += 1) {
    const header = await file.read(offset, 4);
    if (header[0] !== 0xff) {
      found.warnings.push('JPEG segment marker expected');
      break;
    }
    const marker = header[1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      offset += 2; // markers without a length
      continue;
    }
    // The picture's data follows SOS; size and EXIF come before it.
    if (marker === 0xd9 || marker === 0xda) break;
    const payloadStart = offset + 4;
    const payloadLength = header.readUInt16BE(2) - 2;
    if (payloadLength < 0) break;
    if (marker === 0xe1 && found.tiff === null) {
      const payload = await file.read(payloadStart, payloadLength);
      if (payload.toString('latin1', 0, 5) === 'Exif\0') found.tiff = payload.subarray(6);
    } else if (isStartOfFrame(marker)) {
      const frame = await file.read(payloadStart, 5);
      if (frame.length === 5) setSize(found, frame.readUInt16BE(3), frame.readUInt16BE(1));
      break;
    }
    offset = payloadStart + payloadLength;
  }
  return found;
}

async function readPng(file: RandomAccessFile): Promise<PhotoContainer> {
  const found = container();
  let offset = PNG_SIGNATURE.length;
  for (let chunk = 0; chunk < MAX_PNG_CHUNKS && offset + 12 <= file.size; chunk += 1) {
    // Small read-ahead: past the first IDAT the next header is a whole chunk away.
    const header = await file.read(offset, 16, 512);
    const length = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    if (type === 'IHDR' && header.length >= 16) {
      setSize(found, header.readUInt32BE(8), header.readUInt32BE(12));
    } else if (type === 'eXIf' && found.tiff === null && length <= EXIF_READ_LIMIT) {
      found.tiff = withoutExifPrefix(await file.read(offset + 8, length, 0));
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  return found;
}

/** The canvas (VP8X) or frame (VP8, VP8L) size from the first bytes of the chunk. */
function setWebpSize(found: PhotoContainer, type: string, data: Buffer): void {
  if (type === 'VP8X' && data.length >= 10) {
    setSize(found, data.readUIntLE(4, 3) + 1, data.readUIntLE(7, 3) + 1);
  } else if (type === 'VP8 ' && data.length >= 10 && data.readUIntBE(3, 3) === 0x9d012a) {
    setSize(found, data.readUInt16LE(6) & 0x3fff, data.readUInt16LE(8) & 0x3fff);
  } else if (type === 'VP8L' && data.length >= 5 && data[0] === 0x2f) {
    const bits = data.readUInt32LE(1);
    setSize(found, (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
}

async function readWebp(file: RandomAccessFile): Promise<PhotoContainer> {
  const found = container();
  let offset = 12;
  for (let chunk = 0; chunk < MAX_WEBP_CHUNKS && offset + 8 <= file.size; chunk += 1) {
    const header = await file.read(offset, 8);
    const type = header.toString('latin1', 0, 4);
    const length = header.readUInt32LE(4);
    if (found.width === null && (type === 'VP8X' || type === 'VP8 ' || type === 'VP8L')) {
      setWebpSize(found, type, await file.read(offset + 8, Math.min(length, 10)));
    } else if (type === 'EXIF' && length <= EXIF_READ_LIMIT) {
      found.tiff = withoutExifPrefix(await file.read(offset + 8, length, 0));
      break;
    }
    offset += 8 + length + (length % 2); // chunks are padded to an even length
  }
  return found;
}

async function readContainer(file: RandomAccessFile): Promise<PhotoContainer> {
  const head = await file.read(0, HEAD_LENGTH);
  const magic = head.toString('latin1', 0, 4);
  if (head[0] === 0xff && head[1] === 0xd8) return readJpeg(file);
  if (head.subarray(0, 8).equals(PNG_SIGNATURE)) return readPng(file);
  if (magic === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return readWebp(file);
  if (head.toString('latin1', 4, 8) === 'ftyp') return readHeifContainer(file);
  if (magic.startsWith('II') || magic.startsWith('MM')) {
    return container(await file.read(0, Math.min(file.size, TIFF_READ_LIMIT)));
  }
  if (magic === 'GIF8' && head.length >= 10)
    return setSize(container(), head.readUInt16LE(6), head.readUInt16LE(8));
  const unknown = container();
  unknown.warnings.push('no metadata reader for this image format');
  return unknown;
}

/** What a JPEG, HEIC/HEIF/AVIF, PNG, WebP, TIFF/DNG (and TIFF-based RAW) or GIF says about itself. */
export async function readPhotoFacts(file: RandomAccessFile): Promise<MediaFacts> {
  const facts = emptyFacts();
  const found = await readContainer(file);
  facts.width = found.width;
  facts.height = found.height;
  facts.orientation = found.orientation;
  facts.warnings.push(...found.warnings);
  if (found.tiff) {
    try {
      applyExifTags(facts, await parseExifTags(found.tiff));
    } catch (error) {
      // exifr reports most damage in its output; anything it throws must not cost the size.
      facts.warnings.push(`EXIF unreadable (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  return facts;
}
