import { Type, type Static } from 'typebox';
import { Timestamp } from './envelope.js';
import { MediaType, Sha256Hex } from './media.js';

export const ThumbnailState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('ready'),
  Type.Literal('failed'),
  Type.Literal('unsupported'),
]);
export type ThumbnailState = Static<typeof ThumbnailState>;

export const MediaSort = Type.Union([Type.Literal('taken'), Type.Literal('uploaded')], {
  description: '`taken` (date taken, the default) or `uploaded`; newest first either way',
});
export type MediaSort = Static<typeof MediaSort>;

/**
 * A bound of a "taken" range: an instant (`2024-01-01T00:00:00Z`), or a plain date
 * (`2024-01-01`, what a browser's date picker sends) meaning that day on the camera's calendar:
 * the time taken in the offset the file recorded, UTC when it recorded none.
 */
const takenBound = (description: string) =>
  Type.Union([Type.String({ format: 'date' }), Type.String({ format: 'date-time' })], { description });

/** Start of a "taken" range; a plain date includes that whole day. */
export const TakenFrom = takenBound(
  'Taken at or after this instant (inclusive), or on or after this date (`YYYY-MM-DD`, the local ' +
    'date taken: in the offset the file recorded, UTC when none)',
);
/** End of a "taken" range: an instant is exclusive, a plain date includes that whole day. */
export const TakenTo = takenBound(
  'Taken before this instant (exclusive), or on or before this date (`YYYY-MM-DD`, inclusive: the ' +
    'whole day, as a local date taken like `from`)',
);

/** The filters of a media list, shared with its summary: each given must match. */
const mediaFilterFields = {
  from: Type.Optional(TakenFrom),
  to: Type.Optional(TakenTo),
  type: Type.Optional(MediaType),
  favorite: Type.Optional(Type.Boolean()),
  device: Type.Optional(Type.String({ format: 'uuid', description: 'Uploaded by this device' })),
  album: Type.Optional(Type.String({ format: 'uuid', description: 'In this album' })),
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'Part of the file name (or the name given to it) or of the name of an album it is in, any case',
    }),
  ),
};

export const MediaListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...mediaFilterFields,
    sort: Type.Optional(MediaSort),
  },
  { additionalProperties: false },
);
export type MediaListQuery = Static<typeof MediaListQuery>;

/** The filters of {@link MediaListQuery}, without paging or order. */
export const MediaSummaryQuery = Type.Object(mediaFilterFields, { additionalProperties: false });
export type MediaSummaryQuery = Static<typeof MediaSummaryQuery>;

/** How much a selection holds, as a restore of it would: items, bytes, and the span taken. */
export const MediaSummary = Type.Object(
  {
    count: Type.Integer({ minimum: 0, description: 'Photos and videos that match' }),
    bytes: Type.Integer({ minimum: 0, description: 'The sum of their originals’ sizes' }),
    photos: Type.Integer({ minimum: 0 }),
    videos: Type.Integer({ minimum: 0 }),
    takenFrom: Type.Union([Timestamp, Type.Null()], {
      description: 'The earliest time taken; `null` when nothing matches',
    }),
    takenTo: Type.Union([Timestamp, Type.Null()], {
      description: 'The latest time taken; `null` when nothing matches',
    }),
  },
  { additionalProperties: false },
);
export type MediaSummary = Static<typeof MediaSummary>;

const mediaListFields = {
  id: Type.String({ format: 'uuid' }),
  type: MediaType,
  /** The display name when the user gave one, else the original file name. */
  name: Type.String(),
  takenAt: Timestamp,
  takenAtOffsetMinutes: Type.Union([Type.Integer(), Type.Null()]),
  uploadedAt: Timestamp,
  size: Type.Integer({ minimum: 0 }),
  mime: Type.String(),
  width: Type.Union([Type.Integer(), Type.Null()]),
  height: Type.Union([Type.Integer(), Type.Null()]),
  orientation: Type.Union([Type.Integer({ minimum: 1, maximum: 8 }), Type.Null()], {
    description:
      'EXIF orientation, applied to thumbnails and previews; 5–8 turn the picture a quarter, so it ' +
      'shows `height` wide and `width` tall',
  }),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  favorite: Type.Boolean(),
  thumbnail: ThumbnailState,
};

/** What a grid cell needs. */
export const MediaListItem = Type.Object(mediaListFields, { additionalProperties: false });
export type MediaListItem = Static<typeof MediaListItem>;

export const MediaList = Type.Object(
  { items: Type.Array(MediaListItem), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
export type MediaList = Static<typeof MediaList>;

export const MediaTimeline = Type.Object(
  {
    months: Type.Array(
      Type.Object(
        {
          year: Type.Integer(),
          month: Type.Integer({ minimum: 1, maximum: 12 }),
          count: Type.Integer({ minimum: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type MediaTimeline = Static<typeof MediaTimeline>;

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableNumber = Type.Union([Type.Number(), Type.Null()]);

/** One item with everything the server knows about it. */
export const MediaDetail = Type.Object(
  {
    ...mediaListFields,
    sha256: Sha256Hex,
    originalName: Type.String(),
    displayName: NullableString,
    relPath: Type.String({ description: 'Where the original is, relative to the library' }),
    modifiedAt: Type.Union([Timestamp, Type.Null()]),
    cameraMake: NullableString,
    cameraModel: NullableString,
    latitude: NullableNumber,
    longitude: NullableNumber,
    metadata: Type.Record(Type.String(), Type.Unknown()),
    localId: NullableString,
    originalPath: NullableString,
    deviceId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    sessionId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    trashedAt: Type.Union([Timestamp, Type.Null()]),
    albums: Type.Array(
      Type.Object(
        { id: Type.String({ format: 'uuid' }), name: Type.String() },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type MediaDetail = Static<typeof MediaDetail>;

export const OriginalQuery = Type.Object(
  {
    // Literals, not a boolean: query coercion reads only `true`/`false`, and links say `download=1`.
    download: Type.Optional(
      Type.Union([Type.Literal('1'), Type.Literal('true'), Type.Literal('0'), Type.Literal('false')], {
        description: '`1`: `Content-Disposition: attachment` with the original file name',
      }),
    ),
  },
  { additionalProperties: false },
);
export type OriginalQuery = Static<typeof OriginalQuery>;
