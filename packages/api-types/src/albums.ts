import { Type, type Static } from 'typebox';
import { Timestamp } from './envelope.js';
import { MAX_BATCH_IDS } from './media-manage.js';

/** The longest album name, in characters, once trimmed. */
export const MAX_ALBUM_NAME_LENGTH = 200;

/** The most albums one upload may name in its `albums` field. */
export const MAX_UPLOAD_ALBUMS = 20;

const AlbumName = Type.String({
  minLength: 1,
  maxLength: 1024,
  description:
    `Trimmed: 1–${MAX_ALBUM_NAME_LENGTH} characters, no control characters; ` +
    'unique among your albums in any case (409 `ALBUM_NAME_TAKEN`)',
});

export const Album = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    itemCount: Type.Integer({ minimum: 0, description: 'Items in the album, the trash left out' }),
    coverMediaId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description:
        'The item to show as the cover (load its thumbnail): the one chosen if it is still in the album ' +
        'and not in the trash, else the newest taken; `null` for an empty album',
    }),
    chosenCoverMediaId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description: 'The cover set with PATCH, if any',
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { additionalProperties: false },
);
export type Album = Static<typeof Album>;

export const AlbumList = Type.Object({ items: Type.Array(Album) }, { additionalProperties: false });
export type AlbumList = Static<typeof AlbumList>;

export const AlbumListQuery = Type.Object(
  {
    sort: Type.Optional(
      Type.Union([Type.Literal('name'), Type.Literal('recent')], {
        description: '`name` (A→Z in any case, the default) or `recent` (last changed first)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AlbumListQuery = Static<typeof AlbumListQuery>;

export const CreateAlbumRequest = Type.Object({ name: AlbumName }, { additionalProperties: false });
export type CreateAlbumRequest = Static<typeof CreateAlbumRequest>;

export const UpdateAlbumRequest = Type.Object(
  {
    name: Type.Optional(AlbumName),
    coverMediaId: Type.Optional(
      Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
        description:
          'An item in the album (422 `ALBUM_COVER_NOT_IN_ALBUM` otherwise); `null`: the newest item',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateAlbumRequest = Static<typeof UpdateAlbumRequest>;

/** Items to add to or take out of an album. */
export const AlbumMediaRequest = Type.Object(
  {
    ids: Type.Array(Type.String({ format: 'uuid' }), {
      minItems: 1,
      maxItems: MAX_BATCH_IDS,
      description:
        `Up to ${MAX_BATCH_IDS} item ids. Ids that are not yours, items already in the album (adding) ` +
        'and items not in it (removing) are skipped',
    }),
  },
  { additionalProperties: false },
);
export type AlbumMediaRequest = Static<typeof AlbumMediaRequest>;

/** What adding or removing changed, and the album's item count after it. */
export const AlbumMediaResult = Type.Object(
  {
    count: Type.Integer({ minimum: 0, description: 'Items added or removed' }),
    ids: Type.Array(Type.String({ format: 'uuid' })),
    itemCount: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type AlbumMediaResult = Static<typeof AlbumMediaResult>;
