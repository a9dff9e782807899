import { Type, type Static } from 'typebox';
import { TakenFrom, TakenTo } from './media-browse.js';

/** The most ids one restore request may name. */
export const MEDIA_RESTORE_MAX_IDS = 10_000;

/**
 * What to put in a restore archive: chosen `ids`, or the items taken in `[from, to)` (either end
 * may be left open; a plain-date `to` includes its day), or an `album`. One kind of selection per request. Sent as JSON, or as an
 * HTML form (`application/x-www-form-urlencoded`: `ids` repeated or comma-separated).
 */
export const MediaRestoreRequest = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.String({ format: 'uuid' }), {
        minItems: 1,
        maxItems: MEDIA_RESTORE_MAX_IDS,
        description: 'Items to restore; ids that are not yours or are in the trash are left out',
      }),
    ),
    from: Type.Optional(TakenFrom),
    to: Type.Optional(TakenTo),
    album: Type.Optional(Type.String({ format: 'uuid', description: 'Every item of this album of yours' })),
  },
  { additionalProperties: false },
);
export type MediaRestoreRequest = Static<typeof MediaRestoreRequest>;

/** The archive, streamed: STORED originals, ZIP64 when large, plus `MISSING.txt` if any file was unreadable. */
export const MediaRestoreArchive = Type.Unsafe<unknown>({
  description:
    'A ZIP of the originals, oldest taken first, names unique inside it (`IMG_0001 (2).HEIC`); ' +
    'files missing from the disk are listed in `MISSING.txt` instead',
  content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
});
