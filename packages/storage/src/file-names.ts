import { randomBytes } from 'node:crypto';

/** Room for a clash suffix and a `.tmp`-style prefix under the 255-byte limit of ext4, exFAT, NTFS. */
export const MAX_FILE_NAME_BYTES = 200;

const EXTENSION = /\.([\p{L}\p{N}_-]{1,16})$/u;
const EDGE_SPACES_AND_DOTS = /^[\s.]+|[\s.]+$/gu;
const TRAILING_SPACES_AND_DOTS = /[\s.]+$/u;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i;
// Characters Windows or macOS refuse in a name, and bidi controls that make "x\u202Egpj.exe" read as "x.exe.jpg".
const UNSAFE_CHARACTERS = new Set([
  ...'<>:"|?*',
  '\u061c',
  '\u200e',
  '\u200f',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
]);
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function isUnsafeCodePoint(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  const isControl = code < 0x20 || (code >= 0x7f && code <= 0x9f);
  const isBidiEmbedding = code >= 0x202a && code <= 0x202e;
  const isLoneSurrogate = code >= 0xd800 && code <= 0xdfff;
  return isControl || isBidiEmbedding || isLoneSurrogate || UNSAFE_CHARACTERS.has(char);
}

function removeUnsafe(text: string): string {
  let out = '';
  for (const char of text) if (!isUnsafeCodePoint(char)) out += char;
  return out;
}

/** Cuts at a grapheme boundary so an emoji or an accented letter is never split. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const { segment } of segmenter.segment(text)) {
    const size = Buffer.byteLength(segment);
    if (bytes + size > maxBytes) break;
    out += segment;
    bytes += size;
  }
  return out;
}

function normaliseExtension(ext: string | undefined): string | undefined {
  if (ext === undefined) return undefined;
  const match = EXTENSION.exec(`.${removeUnsafe(ext.normalize('NFC')).replace(/^\.+/, '')}`);
  return match?.[1];
}

function splitExtension(name: string): { stem: string; ext: string | undefined } {
  const match = EXTENSION.exec(name);
  return match ? { stem: name.slice(0, match.index), ext: match[1] } : { stem: name, ext: undefined };
}

function joinName(stem: string, ext: string | undefined): string {
  return ext === undefined ? stem : `${stem}.${ext}`;
}

/**
 * Prefixes Windows device names and bounds the length of a clean, trimmed stem; `undefined` when
 * nothing is left (a single grapheme longer than the limit).
 */
function fitName(stem: string, ext: string | undefined): string | undefined {
  const deviceName = stem.split('.')[0]?.trimEnd() ?? '';
  const safeStem = WINDOWS_RESERVED.test(deviceName) ? `_${stem}` : stem;
  const extBytes = ext === undefined ? 0 : Buffer.byteLength(ext) + 1;
  const fitted = truncateUtf8(safeStem, MAX_FILE_NAME_BYTES - extBytes).replace(TRAILING_SPACES_AND_DOTS, '');
  return fitted === '' ? undefined : joinName(fitted, ext);
}

function generatedStem(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `upload-${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * The extension of a file name as the library sees one (`IMG_0001.HEIC` → `HEIC`), or
 * `undefined` when it has none (`IMG_0001`, as an iOS Shortcut names a photo).
 *
 * @example
 * fileNameExtension('IMG_0001'); // undefined
 */
export function fileNameExtension(name: string): string | undefined {
  return splitExtension(name.replace(TRAILING_SPACES_AND_DOTS, '')).ext;
}

/**
 * Turns a client-supplied file name into one safe path segment for the library.
 *
 * Keeps only the part after the last `/` or `\`, normalises to NFC, drops control characters,
 * `<>:"|?*` and bidi controls, trims spaces and dots at both ends, prefixes Windows device names
 * (`CON.jpg` → `_CON.jpg`) and cuts the name to 200 UTF-8 bytes at a character boundary, keeping
 * the extension. `fallbackExt` (e.g. the sniffed type's extension) is added when the name has no
 * extension. A name with nothing usable left becomes `upload-<yyyymmdd-hhmmss>-<6 hex>.<ext>`
 * (UTC time from `options.now`). Applying it twice gives the same result.
 *
 * @example
 * sanitizeFileName('../../etc/passwd'); // 'passwd'
 * sanitizeFileName('C:\\Users\\me\\IMG_0001.HEIC'); // 'IMG_0001.HEIC'
 * sanitizeFileName('???', 'jpg'); // 'upload-20240501-093000-a1b2c3.jpg'
 */
export function sanitizeFileName(name: string, fallbackExt?: string, options: { now?: Date } = {}): string {
  const lastSegment = name.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = removeUnsafe(lastSegment).replace(TRAILING_SPACES_AND_DOTS, '');
  const { stem, ext } = splitExtension(cleaned);
  const safeExt = ext ?? normaliseExtension(fallbackExt);
  const safeStem = stem.replace(EDGE_SPACES_AND_DOTS, '');
  const fitted = safeStem === '' ? undefined : fitName(safeStem, safeExt);
  return fitted ?? joinName(generatedStem(options.now ?? new Date()), safeExt);
}

/**
 * Sanitises a name used as a folder (a username): like {@link sanitizeFileName} but path
 * separators become `_` instead of cutting the name, so `bob/alice` can never land in `alice`.
 * Returns `undefined` when nothing usable is left.
 */
export function sanitizeFolderName(name: string): string | undefined {
  const cleaned = removeUnsafe(name.normalize('NFC').replace(/[/\\]/g, '_')).replace(
    EDGE_SPACES_AND_DOTS,
    '',
  );
  return cleaned === '' ? undefined : fitName(cleaned, undefined);
}

/**
 * The `n`th name to try when `name` is taken: `IMG_0001.HEIC`, 2 → `IMG_0001 (2).HEIC`.
 * Stays within 200 UTF-8 bytes by shortening the stem. `n < 2` returns `name` itself.
 *
 * @example
 * withClashSuffix('IMG_0001.HEIC', 3); // 'IMG_0001 (3).HEIC'
 */
export function withClashSuffix(name: string, n: number): string {
  if (n < 2) return name;
  const { stem, ext } = splitExtension(name);
  const suffix = ` (${n})`;
  const extBytes = ext === undefined ? 0 : Buffer.byteLength(ext) + 1;
  const room = MAX_FILE_NAME_BYTES - extBytes - Buffer.byteLength(suffix);
  return joinName(`${truncateUtf8(stem, room)}${suffix}`, ext);
}
