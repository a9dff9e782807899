import { MAX_ALBUM_NAME_LENGTH, MAX_DISPLAY_NAME_LENGTH, MAX_UPLOAD_ALBUMS } from '@iclood/api-types';
import { ApiError } from '../errors.js';

// C0 and C1 controls, DEL included: invisible in a grid, and a way to spoof what a name shows.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A name a person gave, trimmed and checked: 1–`maxLength` characters (code points, as the
 * database counts them) and no control characters.
 *
 * @throws ApiError `VALIDATION_FAILED` naming `field`
 */
function cleanName(raw: string, maxLength: number, field: string, what: string): string {
  const name = raw.trim();
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
