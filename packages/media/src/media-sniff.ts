/** A media type recognised from a file's first bytes. */
export interface SniffedMediaType {
  mediaType: 'photo' | 'video';
  mime: string;
  /** The usual extension for the type, lower case, without the dot. */
  extension: string;
}

const photo = (mime: string, extension: string): SniffedMediaType => ({
  mediaType: 'photo',
  mime,
  extension,
});
const video = (mime: string, extension: string): SniffedMediaType => ({
  mediaType: 'video',
  mime,
  extension,
});

const JPEG = photo('image/jpeg', 'jpg');
const TIFF = photo('image/tiff', 'tiff');
const DNG = photo('image/x-adobe-dng', 'dng');
const HEIC = photo('image/heic', 'heic');
const HEIC_SEQUENCE = photo('image/heic-sequence', 'heics');
const AVIF = photo('image/avif', 'avif');
const MP4 = video('video/mp4', 'mp4');
const M4V = video('video/x-m4v', 'm4v');
const MOV = video('video/quicktime', 'mov');

/** RAW formats that are plain TIFF inside: only the name tells them apart. */
const TIFF_RAW_BY_EXTENSION: Record<string, SniffedMediaType> = {
  dng: DNG,
  nef: photo('image/x-nikon-nef', 'nef'),
  nrw: photo('image/x-nikon-nrw', 'nrw'),
  arw: photo('image/x-sony-arw', 'arw'),
  srf: photo('image/x-sony-srf', 'srf'),
  sr2: photo('image/x-sony-sr2', 'sr2'),
  pef: photo('image/x-pentax-pef', 'pef'),
  srw: photo('image/x-samsung-srw', 'srw'),
  '3fr': photo('image/x-hasselblad-3fr', '3fr'),
  erf: photo('image/x-epson-erf', 'erf'),
  rwl: photo('image/x-leica-rwl', 'rwl'),
  iiq: photo('image/x-phaseone-iiq', 'iiq'),
  dcr: photo('image/x-kodak-dcr', 'dcr'),
  kdc: photo('image/x-kodak-kdc', 'kdc'),
  mos: photo('image/x-leaf-mos', 'mos'),
};

/** ISO base media (`ftyp`) brands. */
const BRANDS: Record<string, SniffedMediaType> = {
  heic: HEIC,
  heix: HEIC,
  heim: HEIC,
  heis: HEIC,
  hevc: HEIC_SEQUENCE,
  hevx: HEIC_SEQUENCE,
  mif1: photo('image/heif', 'heif'),
  msf1: photo('image/heif-sequence', 'heifs'),
  avif: AVIF,
  avis: AVIF,
  'crx ': photo('image/x-canon-cr3', 'cr3'),
  'qt  ': MOV,
  'M4V ': M4V,
  M4VH: M4V,
  M4VP: M4V,
  ...Object.fromEntries(
    [
      'isom',
      'iso2',
      'iso3',
      'iso4',
      'iso5',
      'iso6',
      'mp41',
      'mp42',
      'avc1',
      'dash',
      'MSNV',
      'NDAS',
      'F4V ',
      'F4P ',
      'mmp4',
      'XAVC',
    ].map((brand) => [brand, MP4]),
  ),
};
/** Brands any HEIF file lists; a more specific one (heic, avif) wins when present. */
const GENERIC_BRANDS = new Set(['mif1', 'msf1']);
/** Audio-only MPEG-4 files also list `isom`/`mp42`; their major brand says they are not video. */
const AUDIO_BRANDS = new Set(['M4A ', 'M4B ', 'M4P ', 'F4A ', 'F4B ']);
/** First atoms of QuickTime files written without `ftyp` (older cameras, some iOS exports). */
const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

function ascii(head: Buffer, start: number, length: number): string {
  return head.length >= start + length ? head.toString('latin1', start, start + length) : '';
}

function hasBytes(head: Buffer, bytes: readonly number[], offset = 0): boolean {
  return head.length >= offset + bytes.length && bytes.every((byte, i) => head[offset + i] === byte);
}

function extensionOf(fileName: string | undefined): string {
  const match = /\.([^./\\]+)$/.exec(fileName ?? '');
  return match?.[1]?.toLowerCase() ?? '';
}

function classifyBrand(brand: string): SniffedMediaType | undefined {
  if (brand.startsWith('3gp')) return video('video/3gpp', '3gp');
  if (brand.startsWith('3g2')) return video('video/3gpp2', '3g2');
  return BRANDS[brand];
}

function sniffIsoBmff(head: Buffer): SniffedMediaType | undefined {
  if (ascii(head, 4, 4) !== 'ftyp') return undefined;
  const boxSize = head.readUInt32BE(0);
  if (boxSize < 16) return undefined;
  const major = ascii(head, 8, 4);
  if (AUDIO_BRANDS.has(major)) return undefined;
  const compatible: string[] = [];
  for (let offset = 16; offset + 4 <= Math.min(boxSize, head.length); offset += 4)
    compatible.push(ascii(head, offset, 4));
  const majorType = classifyBrand(major);
  if (majorType !== undefined && !GENERIC_BRANDS.has(major)) return majorType;
  const specific = compatible.find(
    (brand) => classifyBrand(brand) !== undefined && !GENERIC_BRANDS.has(brand),
  );
  if (specific !== undefined) return classifyBrand(specific);
  return majorType ?? compatible.map(classifyBrand).find((type) => type !== undefined);
}

function sniffQuickTimeAtoms(head: Buffer): SniffedMediaType | undefined {
  if (head.length < 8 || !QUICKTIME_ATOMS.has(ascii(head, 4, 4))) return undefined;
  const size = head.readUInt32BE(0);
  // 0: to the end of the file; 1: a 64-bit size follows; otherwise at least the header itself.
  return size === 0 || size === 1 || size >= 8 ? MOV : undefined;
}

/** True when IFD0 of a TIFF holds the DNGVersion tag, as every DNG (iPhone ProRAW too) does. */
function hasDngVersionTag(head: Buffer): boolean {
  const littleEndian = head[0] === 0x49;
  const u16 = (offset: number) => (littleEndian ? head.readUInt16LE(offset) : head.readUInt16BE(offset));
  const u32 = (offset: number) => (littleEndian ? head.readUInt32LE(offset) : head.readUInt32BE(offset));
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > head.length) return false;
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + i * 12;
    if (entry + 2 > head.length) return false;
    if (u16(entry) === 0xc612) return true;
  }
  return false;
}

function sniffTiffFamily(head: Buffer, fileName: string | undefined): SniffedMediaType | undefined {
  const magic = ascii(head, 0, 4);
  if (magic === 'IIRO' || magic === 'IIRS' || magic === 'MMOR') return photo('image/x-olympus-orf', 'orf');
  if (magic === 'IIU\0') return photo('image/x-panasonic-rw2', 'rw2');
  const isBigTiff = magic === 'II+\0' || magic === 'MM\0+';
  if (magic !== 'II*\0' && magic !== 'MM\0*' && !isBigTiff) return undefined;
  if (isBigTiff) return TIFF;
  if (ascii(head, 8, 2) === 'CR' && head[10] === 2) return photo('image/x-canon-cr2', 'cr2');
  if (head.length >= 8 && hasDngVersionTag(head)) return DNG;
  return TIFF_RAW_BY_EXTENSION[extensionOf(fileName)] ?? TIFF;
}

/** Reads an EBML variable-length integer; `keepMarker` for element IDs. */
function readVint(
  head: Buffer,
  offset: number,
  keepMarker: boolean,
): { value: number; length: number } | undefined {
  const first = head[offset];
  if (first === undefined || first === 0) return undefined;
  const length = Math.clz32(first) - 23;
  if (length > 8 || offset + length > head.length) return undefined;
  let value = keepMarker ? first : first & (0xff >> length);
  for (let i = 1; i < length; i++) value = value * 256 + head[offset + i]!;
  return { value, length };
}

function sniffMatroska(head: Buffer): SniffedMediaType | undefined {
  if (!hasBytes(head, [0x1a, 0x45, 0xdf, 0xa3])) return undefined;
  const headerSize = readVint(head, 4, false);
  if (headerSize === undefined) return undefined;
  const end = Math.min(head.length, 4 + headerSize.length + headerSize.value);
  let docType = 'matroska'; // the EBML default when the header does not say
  for (let offset = 4 + headerSize.length; offset < end;) {
    const id = readVint(head, offset, true);
    const size = id && readVint(head, offset + id.length, false);
    if (id === undefined || size === undefined) break;
    const dataStart = offset + id.length + size.length;
    if (id.value === 0x4282) {
      docType = head.toString('latin1', dataStart, Math.min(end, dataStart + size.value)).replace(/\0+$/, '');
      break;
    }
    offset = dataStart + size.value;
  }
  if (docType === 'webm') return video('video/webm', 'webm');
  if (docType === 'matroska') return video('video/x-matroska', 'mkv');
  return undefined;
}

/**
 * Recognises the photo and video formats iClood stores from their magic bytes (the first few
 * KiB of the file are plenty), never from the name or a client's Content-Type: JPEG, PNG, GIF,
 * WebP, TIFF, HEIC/HEIF/AVIF, DNG (ProRAW included), CR2, CR3, ORF, RW2, RAF and other TIFF-based
 * RAW, MOV, MP4, M4V, 3GP/3G2, AVI, MKV and WebM. `fileName` only tells apart RAW formats that are
 * plain TIFF inside (NEF, ARW, PEF, …). Anything else is `undefined`: answer 415.
 *
 * @example
 * sniffMediaType(upload.head, 'IMG_0001.HEIC'); // { mediaType: 'photo', mime: 'image/heic', extension: 'heic' }
 */
export function sniffMediaType(head: Uint8Array, fileName?: string): SniffedMediaType | undefined {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (hasBytes(bytes, [0xff, 0xd8, 0xff])) return JPEG;
  if (hasBytes(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return photo('image/png', 'png');
  const six = ascii(bytes, 0, 6);
  if (six === 'GIF87a' || six === 'GIF89a') return photo('image/gif', 'gif');
  if (ascii(bytes, 0, 4) === 'RIFF') {
    const form = ascii(bytes, 8, 4);
    if (form === 'WEBP') return photo('image/webp', 'webp');
    if (form === 'AVI ') return video('video/x-msvideo', 'avi');
    return undefined;
  }
  if (ascii(bytes, 0, 15) === 'FUJIFILMCCD-RAW') return photo('image/x-fuji-raf', 'raf');
  return (
    sniffTiffFamily(bytes, fileName) ??
    sniffIsoBmff(bytes) ??
    sniffMatroska(bytes) ??
    sniffQuickTimeAtoms(bytes)
  );
}
