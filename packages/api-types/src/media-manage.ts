import { Type, type Static } from 'typebox';
import { Timestamp } from './envelope.js';
import { MediaListItem } from './media-browse.js';

/** The most ids one batch request may name. */
export const MAX_BATCH_IDS = 1000;

/** The longest display name, in characters, once trimmed. */
export const MAX_DISPLAY_NAME_LENGTH = 255;

/** Items named by id. Ids that are not the caller's are skipped, never an error. */
export const MediaIdsRequest = Type.Object(
  {
    ids: Type.Array(Type.String({ format: 'uuid' }), {
      minItems: 1,
      maxItems: MAX_BATCH_IDS,
      description: `Up to ${MAX_BATCH_IDS} item ids; ids that are not yours are skipped`,
    }),
  },
  { additionalProperties: false },
);
export type MediaIdsRequest = Static<typeof MediaIdsRequest>;

export const MediaPatchRequest = Type.Object(
  {
    name: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 1024 }), Type.Null()], {
        description:
          `A display name, trimmed: 1–${MAX_DISPLAY_NAME_LENGTH} characters, no control characters. ` +
          'The file on disk keeps its name. `null` goes back to the original file name.',
      }),
    ),
    favorite: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type MediaPatchRequest = Static<typeof MediaPatchRequest>;

/** What a batch changed: how many items, and which. */
export const MediaBatchResult = Type.Object(
  {
    count: Type.Integer({ minimum: 0 }),
    ids: Type.Array(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
export type MediaBatchResult = Static<typeof MediaBatchResult>;

const trashFields = {
  trashedAt: Timestamp,
  purgeAt: Type.String({
    format: 'date-time',
    description: 'When the periodic purge removes it for good (ICLOOD_TRASH_DAYS after it was deleted)',
  }),
};

/** One item moved to the trash. */
export const TrashedMedia = Type.Object(
  { id: Type.String({ format: 'uuid' }), ...trashFields },
  { additionalProperties: false },
);
export type TrashedMedia = Static<typeof TrashedMedia>;

/** An item in the trash: what a grid needs, and when it was deleted and will be purged. */
export const TrashItem = Type.Object(
  { ...MediaListItem.properties, ...trashFields },
  { additionalProperties: false },
);
export type TrashItem = Static<typeof TrashItem>;

export const TrashList = Type.Object(
  { items: Type.Array(TrashItem), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
export type TrashList = Static<typeof TrashList>;

/** What deleting for good freed. */
export const PurgeResult = Type.Object(
  {
    items: Type.Integer({ minimum: 0, description: 'Items removed for good' }),
    bytes: Type.Integer({ minimum: 0, description: 'Bytes freed: originals and their thumbnails' }),
  },
  { additionalProperties: false },
);
export type PurgeResult = Static<typeof PurgeResult>;
