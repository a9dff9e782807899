import { ApiError } from '../../errors.js';

/** A keyset position: the sort instant and the id that breaks ties. */
export interface KeysetPosition {
  at: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to clients: base64url of `<ISO instant>|<id>`. */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(`${position.at.toISOString()}|${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  const [at, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at ?? '');
  if (extra !== undefined || !id || !UUID.test(id) || Number.isNaN(date.getTime())) {
    throw new ApiError('VALIDATION_FAILED', 'The cursor is not valid; start again without it', [
      { field: 'querystring/cursor', message: 'is not a cursor this server made' },
    ]);
  }
  return { at: date, id };
}
