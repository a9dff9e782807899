import contentDisposition from 'content-disposition';
import { MAX_ALBUM_NAME_LENGTH, MAX_DISPLAY_NAME_LENGTH, MAX_UPLOAD_ALBUMS } from '@iclood/api-types';
import { fileNameExtension } from '@iclood/storage';
import { ApiError } from '../../errors.js';

// C0 and C1 controls, DEL included: invisible in a grid, and a way to spoof what a name shows.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;
// Invisible characters that hide or reorder what a name shows, as file names drop them: bidi
// marks, embeddings, overrides and isolates ("\u202Egpj.exe" shows as "exe.jpg"), zero-width space,
// word joiner and invisible operators, and the byte-order mark. The zero-width (non-)joiners stay:
// emoji sequences and several scripts need them.
const INVISIBLE_FORMAT_CHARACTERS =
  /[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/**
 * A name a person gave, without invisible format characters, trimmed and checked:
 * 1–`maxLength` characters (code points, as the database counts them) and no control characters.
 *
 * @throws ApiError `VALIDATION_FAILED` naming `field`
 */
function cleanName(raw: string, maxLength: number, field: string, what: string): string {
  const name = raw.replace(INVISIBLE_FORMAT_CHARACTERS, '').trim();
  const invalid = (message: string) =>
    new ApiError('VALIDATION_FAILED', `The ${what} ${message}`, [{ field, message }]);
  if (name.length === 0) throw invalid('must not be empty');
  if ([...name].length > maxLength) throw invalid(`must be at most ${maxLength} characters`);
  if (CONTROL_CHARACTERS.test(name)) throw invalid('must not contain control characters');
  return name;
}

/** An item's display name (PATCH media `name`). */
export function cleanDisplayName(raw: string): string {
  return cleanName(raw, MAX_DISPLAY_NAME_LENGTH, 'body/name', 'name');
}

/** An album's name (create, rename). */
export function cleanAlbumName(raw: string, field = 'body/name'): string {
  return cleanName(raw, MAX_ALBUM_NAME_LENGTH, field, 'album name');
}

/**
 * The upload field `albums`: each name cleaned, repeats dropped, at most
 * {@link MAX_UPLOAD_ALBUMS} albums.
 *
 * @throws ApiError `VALIDATION_FAILED`
 */
export function cleanUploadAlbumNames(raw: readonly string[] | undefined): string[] {
  if (raw === undefined) return [];
  const names = [...new Set(raw.map((name, i) => cleanAlbumName(name, `fields/albums/${i}`)))];
  if (names.length > MAX_UPLOAD_ALBUMS) {
    throw new ApiError('VALIDATION_FAILED', `An upload may name at most ${MAX_UPLOAD_ALBUMS} albums`, [
      { field: 'fields/albums', message: `must name at most ${MAX_UPLOAD_ALBUMS} albums` },
    ]);
  }
  return names;
}

/**
 * The name to give an original when it leaves the server (a download, a restore archive): the
 * name it was sent with, plus the extension its library file got when that name had none
 * (`IMG_0001` from a Shortcut, stored as `IMG_0001.jpg`).
 */
export function originalFileName(row: { original_name: string; rel_path: string }): string {
  if (fileNameExtension(row.original_name) !== undefined) return row.original_name;
  const stored = fileNameExtension(row.rel_path.slice(row.rel_path.lastIndexOf('/') + 1));
  return stored === undefined ? row.original_name : `${row.original_name}.${stored}`;
}

/**
 * RFC 6266 (the `content-disposition` package): the exact name as UTF-8 `filename*`, and for old
 * clients a plain ASCII `filename` with accents dropped and anything else unsafe replaced by `_`.
 */
export function attachmentDisposition(name: string): string {
  const fallback = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]|["\\]/g, '_');
  return contentDisposition(name, { fallback });
}
