// What one container reader found in a file, before the capture-time rules pick a date. Values
// from files are untrusted: everything passes through the cleaners here on its way into a row.
import type { CaptureTime } from './media-metadata-time.js';

export type MetadataValue = string | number | boolean;

/** A capture time a tag offers, in the order the readers prefer them. */
export interface CaptureCandidate {
  source: 'exif' | 'quicktime';
  /** The tag it came from, for warnings: 'DateTimeOriginal', 'com.apple.quicktime.creationdate'… */
  tag: string;
  time: CaptureTime;
}

export interface MediaFacts {
  captureCandidates: CaptureCandidate[];
  width: number | null;
  height: number | null;
  orientation: number | null;
  durationMs: number | null;
  latitude: number | null;
  longitude: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  metadata: Record<string, MetadataValue>;
  warnings: string[];
}

export function emptyFacts(): MediaFacts {
  return {
    captureCandidates: [],
    width: null,
    height: null,
    orientation: null,
    durationMs: null,
    latitude: null,
    longitude: null,
    cameraMake: null,
    cameraModel: null,
    metadata: {},
    warnings: [],
  };
}

const MAX_TEXT_LENGTH = 128;
// Larger than any sensor or video frame; a bigger value is a broken tag.
const MAX_DIMENSION = 1_000_000;

/** Printable text without NULs or control characters, trimmed and bounded; null when empty. */
export function cleanText(value: unknown, maxLength = MAX_TEXT_LENGTH): string | null {
  if (typeof value !== 'string') return null;
  // \p{Cc}: the C0 and C1 control characters, NUL included.
  const text = value.replace(/[\p{Cc}\s]+/gu, ' ').trim();
  if (text.length === 0) return null;
  return text.length > maxLength ? text.slice(0, maxLength) : text;
}

/** A finite number, taking the first of an array (EXIF stores some single values as lists). */
export function finiteNumber(value: unknown): number | null {
  const first = Array.isArray(value) || ArrayBuffer.isView(value) ? (value as ArrayLike<unknown>)[0] : value;
  return typeof first === 'number' && Number.isFinite(first) ? first : null;
}

export function pixelDimension(value: unknown): number | null {
  const number = finiteNumber(value);
  return number !== null && Number.isInteger(number) && number > 0 && number <= MAX_DIMENSION ? number : null;
}

/** An EXIF orientation, 1 (as stored) to 8. */
export function exifOrientation(value: unknown): number | null {
  const number = finiteNumber(value);
  return number !== null && Number.isInteger(number) && number >= 1 && number <= 8 ? number : null;
}

/**
 * Coordinates in range, or null. Exactly 0,0 is what receivers without a fix write, not a photo
 * taken in the Gulf of Guinea, so it counts as no location.
 */
export function validCoordinates(
  latitude: number | null,
  longitude: number | null,
): { latitude: number; longitude: number } | null {
  if (latitude === null || longitude === null) return null;
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  if (latitude === 0 && longitude === 0) return null;
  return { latitude, longitude };
}

/** Adds `value` under `key` when it is a clean string or a finite number. */
export function keepMetadata(metadata: Record<string, MetadataValue>, key: string, value: unknown): void {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) metadata[key] = value;
    return;
  }
  const text = cleanText(value);
  if (text !== null) metadata[key] = text;
}

/** The 90°-step rotation and mirroring of an EXIF orientation, as the rows of a 2×2 matrix. */
const ORIENTATION_MATRICES: ReadonlyArray<readonly [number, readonly [number, number, number, number]]> = [
  [1, [1, 0, 0, 1]],
  [2, [-1, 0, 0, 1]],
  [3, [-1, 0, 0, -1]],
  [4, [1, 0, 0, -1]],
  [5, [0, 1, 1, 0]],
  [6, [0, 1, -1, 0]],
  [7, [0, -1, -1, 0]],
  [8, [0, -1, 1, 0]],
];

/**
 * The EXIF orientation that displays like a transformation matrix [a b; c d] in QuickTime's
 * row-vector convention (x' = a·x + c·y, y' = b·x + d·y, y pointing down); null when the matrix
 * is not a 90° step.
 */
export function orientationFromMatrix(a: number, b: number, c: number, d: number): number | null {
  const snapped = [a, b, c, d].map((value) => (Math.abs(value) < 0.01 ? 0 : Math.sign(value)));
  const match = ORIENTATION_MATRICES.find(([, matrix]) =>
    matrix.every((value, index) => value === snapped[index]),
  );
  return match ? match[0] : null;
}
