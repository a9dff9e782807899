// HEIC/HEIF/AVIF stills: the `meta` box lists items (the picture, its tiles, an `Exif` item),
// where their bytes are (`iloc`) and their properties (`iprp`: size, rotation). We find the Exif
// item's bytes for the TIFF parser and the primary picture's size, reading nothing else.
import {
  childBoxes,
  findChildBox,
  fullBoxVersion,
  readUnsigned,
  topLevelBoxesUntil,
  type Box,
} from './media-metadata-boxes.js';
import type { RandomAccessFile } from './media-metadata-file.js';

// An iPhone's meta box is a few kilobytes; one with thousands of tiles stays far below this.
const META_READ_LIMIT = 4 * 1024 * 1024;
export const EXIF_READ_LIMIT = 1024 * 1024;

export interface HeifContainer {
  /** The TIFF structure of the Exif item ("II*\0…" / "MM\0*…"), when there is one. */
  tiff: Buffer | null;
  width: number | null;
  height: number | null;
  /** From `irot` of the primary item, as an EXIF orientation (1, 3, 6 or 8). */
  orientation: number | null;
  warnings: string[];
}

interface ItemLocation {
  constructionMethod: number;
  extents: Array<{ offset: number; length: number }>;
}

function primaryItemId(meta: Buffer, box: Box | undefined): number | null {
  if (!box) return null;
  return fullBoxVersion(meta, box) === 0
    ? meta.readUInt16BE(box.payloadStart + 4)
    : meta.readUInt32BE(box.payloadStart + 4);
}

function exifItemId(meta: Buffer, iinf: Box): number | null {
  const entriesAt = iinf.payloadStart + (fullBoxVersion(meta, iinf) === 0 ? 6 : 8);
  for (const infe of childBoxes(meta, entriesAt, iinf.end)) {
    if (infe.type !== 'infe') continue;
    const version = fullBoxVersion(meta, infe);
    // Versions 0 and 1 carry no item type; only 2 and 3 can name an Exif item.
    if (version < 2) continue;
    const idWidth = version === 2 ? 2 : 4;
    const typeAt = infe.payloadStart + 4 + idWidth + 2;
    if (typeAt + 4 > infe.end) continue;
    if (meta.toString('latin1', typeAt, typeAt + 4) === 'Exif')
      return readUnsigned(meta, infe.payloadStart + 4, idWidth);
  }
  return null;
}

function itemLocation(meta: Buffer, iloc: Box, wantedId: number): ItemLocation | null {
  const version = fullBoxVersion(meta, iloc);
  let at = iloc.payloadStart + 4;
  const sizes = meta.readUInt8(at);
  const moreSizes = meta.readUInt8(at + 1);
  const offsetWidth = sizes >> 4;
  const lengthWidth = sizes & 0xf;
  const baseOffsetWidth = moreSizes >> 4;
  const indexWidth = version === 1 || version === 2 ? moreSizes & 0xf : 0;
  at += 2;
  const idWidth = version === 2 ? 4 : 2;
  const itemCount = readUnsigned(meta, at, idWidth);
  at += idWidth;
  for (let item = 0; item < itemCount && at < iloc.end; item += 1) {
    const id = readUnsigned(meta, at, idWidth);
    at += idWidth;
    const constructionMethod = version === 1 || version === 2 ? meta.readUInt16BE(at) & 0xf : 0;
    if (version === 1 || version === 2) at += 2;
    at += 2; // data_reference_index
    const baseOffset = readUnsigned(meta, at, baseOffsetWidth);
    at += baseOffsetWidth;
    const extentCount = meta.readUInt16BE(at);
    at += 2;
    const extents: ItemLocation['extents'] = [];
    for (let extent = 0; extent < extentCount; extent += 1) {
      at += indexWidth;
      const offset = baseOffset + readUnsigned(meta, at, offsetWidth);
      at += offsetWidth;
      const length = readUnsigned(meta, at, lengthWidth);
      at += lengthWidth;
      extents.push({ offset, length });
    }
    if (id === wantedId) return { constructionMethod, extents };
  }
  return null;
}

/** The properties (`ipco`, 1-based) that `ipma` associates with `itemId`. */
function itemProperties(meta: Buffer, iprp: Box, itemId: number): Box[] {
  const ipco = findChildBox(meta, iprp.payloadStart, iprp.end, 'ipco');
  const ipma = findChildBox(meta, iprp.payloadStart, iprp.end, 'ipma');
  if (!ipco || !ipma) return [];
  const properties = [...childBoxes(meta, ipco.payloadStart, ipco.end)];
  const version = fullBoxVersion(meta, ipma);
  const wideIndex = (meta.readUInt32BE(ipma.payloadStart) & 1) === 1;
  const entryCount = meta.readUInt32BE(ipma.payloadStart + 4);
  let at = ipma.payloadStart + 8;
  for (let entry = 0; entry < entryCount && at < ipma.end; entry += 1) {
    const id = version < 1 ? meta.readUInt16BE(at) : meta.readUInt32BE(at);
    at += version < 1 ? 2 : 4;
    const count = meta.readUInt8(at);
    at += 1;
    const indexes: number[] = [];
    for (let association = 0; association < count; association += 1) {
      indexes.push(wideIndex ? meta.readUInt16BE(at) & 0x7fff : meta.readUInt8(at) & 0x7f);
      at += wideIndex ? 2 : 1;
    }
    if (id === itemId) return indexes.flatMap((index) => properties[index - 1] ?? []);
  }
  return [];
}

// irot turns anticlockwise in 90° steps; EXIF names the clockwise turn that displays the picture.
const ORIENTATION_BY_IROT = [1, 8, 3, 6] as const;

async function readItem(
  file: RandomAccessFile,
  meta: Buffer,
  metaBox: Box,
  location: ItemLocation,
): Promise<Buffer | null> {
  const total = location.extents.reduce((sum, extent) => sum + extent.length, 0);
  if (total === 0 || total > EXIF_READ_LIMIT) return null;
  const parts: Buffer[] = [];
  for (const extent of location.extents) {
    if (location.constructionMethod === 0) {
      parts.push(await file.read(extent.offset, extent.length, 0));
    } else if (location.constructionMethod === 1) {
      // Offsets into the meta box's own `idat`.
      const idat = findChildBox(meta, metaBox.payloadStart + 4, metaBox.end, 'idat');
      if (!idat) return null;
      parts.push(
        meta.subarray(idat.payloadStart + extent.offset, idat.payloadStart + extent.offset + extent.length),
      );
    } else {
      return null;
    }
  }
  return Buffer.concat(parts);
}

/** The TIFF inside an Exif item: a 4-byte offset to the TIFF header, often past "Exif\0\0". */
export function tiffFromExifItem(item: Buffer): Buffer | null {
  if (item.length < 12) return null;
  let at = 4 + item.readUInt32BE(0);
  if (item.toString('latin1', at, at + 4) === 'Exif') at += 6;
  const tiff = item.subarray(at);
  const order = tiff.toString('latin1', 0, 2);
  return order === 'II' || order === 'MM' ? tiff : null;
}

/** Reads the container of a HEIF/AVIF still. Throws on a structure that runs out of its box. */
export async function readHeifContainer(file: RandomAccessFile): Promise<HeifContainer> {
  const result: HeifContainer = { tiff: null, width: null, height: null, orientation: null, warnings: [] };
  const metaBox = (await topLevelBoxesUntil(file, 'meta')).find((box) => box.type === 'meta');
  if (!metaBox) {
    result.warnings.push('no HEIF meta box');
    return result;
  }
  const length = metaBox.end - metaBox.start;
  if (length > META_READ_LIMIT) {
    result.warnings.push('HEIF meta box larger than the read limit');
    return result;
  }
  const meta = await file.read(metaBox.start, length);
  const local: Box = {
    ...metaBox,
    start: 0,
    payloadStart: metaBox.payloadStart - metaBox.start,
    end: length,
  };
  const children = (type: string) => findChildBox(meta, local.payloadStart + 4, local.end, type);

  const primary = primaryItemId(meta, children('pitm'));
  const iprp = children('iprp');
  if (primary !== null && iprp) {
    for (const property of itemProperties(meta, iprp, primary)) {
      if (property.type === 'ispe' && property.payloadStart + 12 <= property.end) {
        result.width = meta.readUInt32BE(property.payloadStart + 4);
        result.height = meta.readUInt32BE(property.payloadStart + 8);
      } else if (property.type === 'irot' && property.payloadStart < property.end) {
        result.orientation = ORIENTATION_BY_IROT[meta.readUInt8(property.payloadStart) & 3] ?? null;
      }
    }
  }

  const iinf = children('iinf');
  const iloc = children('iloc');
  const exifId = iinf ? exifItemId(meta, iinf) : null;
  if (exifId === null || !iloc) return result;
  const location = itemLocation(meta, iloc, exifId);
  const item = location ? await readItem(file, meta, local, location) : null;
  result.tiff = item ? tiffFromExifItem(item) : null;
  if (!result.tiff) result.warnings.push('HEIF Exif item unreadable');
  return result;
}
