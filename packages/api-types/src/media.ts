import { Type, type Static } from 'typebox';
import { Timestamp } from './envelope.js';

export const Sha256Hex = Type.String({
  pattern: '^[0-9a-fA-F]{64}$',
  description: 'SHA-256 of the bytes, hex',
});

export const MediaType = Type.Union([Type.Literal('photo'), Type.Literal('video')]);
export type MediaType = Static<typeof MediaType>;

export const MAX_CHECK_ITEMS = 10_000;

export const CheckItem = Type.Object(
  {
    key: Type.String({
      minLength: 1,
      maxLength: 200,
      description: "The client's own id for this item, echoed back",
    }),
    sha256: Type.Optional(Sha256Hex),
    localId: Type.Optional(
      Type.String({ minLength: 1, maxLength: 512, description: 'Photos library identifier' }),
    ),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    size: Type.Optional(Type.Integer({ minimum: 0 })),
    createdAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
export type CheckItem = Static<typeof CheckItem>;

export const CheckRequest = Type.Object(
  { items: Type.Array(CheckItem, { minItems: 1, maxItems: MAX_CHECK_ITEMS }) },
  { additionalProperties: false },
);
export type CheckRequest = Static<typeof CheckRequest>;

export const CheckState = Type.Union([
  Type.Literal('new'),
  Type.Literal('duplicate'),
  Type.Literal('ignored'),
]);

export const CheckResult = Type.Object(
  {
    results: Type.Array(
      Type.Object(
        {
          key: Type.String(),
          state: CheckState,
          mediaId: Type.Optional(Type.String({ format: 'uuid' })),
          trashed: Type.Optional(Type.Boolean({ description: 'The copy on the server is in the trash' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type CheckResult = Static<typeof CheckResult>;

/** Upload metadata: query parameters of a raw upload, or multipart fields before the file part. */
export const UploadFields = Type.Object(
  {
    filename: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    localId: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
    createdAt: Type.Optional(Timestamp),
    modifiedAt: Type.Optional(Timestamp),
    originalPath: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    sessionId: Type.Optional(Type.String({ format: 'uuid' })),
    sha256: Type.Optional(Sha256Hex),
    albums: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type UploadFields = Static<typeof UploadFields>;

export const UploadResult = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Union([Type.Literal('created'), Type.Literal('duplicate')]),
    trashed: Type.Optional(Type.Boolean({ description: 'A duplicate of an item now in the trash' })),
  },
  { additionalProperties: false },
);
export type UploadResult = Static<typeof UploadResult>;

// One schema per status, alike but for the example, so the API page shows 201 `created` and 200
// `duplicate` (an example generated from the union would say `created` for both).
const uploadResultSaying = (status: 'created' | 'duplicate', description: string) =>
  Type.Object(
    {
      ...UploadResult.properties,
      status: Type.Union(UploadResult.properties.status.anyOf, { example: status }),
    },
    { additionalProperties: false, description },
  );
/** 201: the file was stored, a new item. */
export const UploadCreatedResult = uploadResultSaying('created', 'Stored: a new item');
/** 200: the library already had these bytes (`status: duplicate`); nothing was stored again. */
export const UploadDuplicateResult = uploadResultSaying('duplicate', 'Already backed up: the existing item');

// The upload's body is streamed by the route, never parsed, so Fastify validates `null` against
// these: `nullable` lets that pass, while the API page gets a form with a file picker.
const binaryFile = { type: 'string', format: 'binary', nullable: true } as const;

/**
 * The upload's request body, for the OpenAPI document: a multipart form (fields first, then
 * `file`), or the raw bytes with the fields in the query string.
 */
export const UploadRequestBody = {
  content: {
    'multipart/form-data': {
      schema: {
        type: 'object',
        nullable: true,
        properties: {
          ...UploadFields.properties,
          file: { ...binaryFile, description: 'The photo or video, last' },
        },
        required: ['file'],
      },
    },
    'application/octet-stream': { schema: { ...binaryFile, description: 'The photo or video itself' } },
  },
} as const;

export const IgnoreItem = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 1024 }),
    originalPath: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    sha256: Type.Optional(Sha256Hex),
    localId: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const IgnoreRequest = Type.Object(
  { items: Type.Array(IgnoreItem, { minItems: 1, maxItems: MAX_CHECK_ITEMS }) },
  { additionalProperties: false },
);
export type IgnoreRequest = Static<typeof IgnoreRequest>;

export const IgnoredFile = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    originalPath: Type.Union([Type.String(), Type.Null()]),
    sha256: Type.Union([Type.String(), Type.Null()]),
    localId: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);
export type IgnoredFile = Static<typeof IgnoredFile>;

export const IgnoreResult = Type.Object({ items: Type.Array(IgnoredFile) }, { additionalProperties: false });

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuery>;

export const IgnoredList = Type.Object(
  { items: Type.Array(IgnoredFile), nextCursor: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

export const DeletedResult = Type.Object(
  { deleted: Type.Boolean(), id: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);
