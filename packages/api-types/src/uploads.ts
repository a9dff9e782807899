import { Type, type Static } from 'typebox';

/** The tus protocol version spoken by `/uploads` (tus.io, resumable upload protocol 1.0.0). */
export const TUS_VERSION = '1.0.0';
/** The tus extensions `/uploads` supports, as `OPTIONS` lists them in `Tus-Extension`. */
export const TUS_EXTENSIONS = [
  'creation',
  'creation-with-upload',
  'termination',
  'expiration',
  'checksum',
] as const;
/** The algorithms a part's `Upload-Checksum` may use (tus checksum extension). */
export const TUS_CHECKSUM_ALGORITHMS = ['sha1', 'sha256'] as const;

const ByteCount = Type.String({ pattern: '^[0-9]{1,15}$', description: 'A byte count, in decimal' });
const TusResumable = Type.Optional(
  Type.String({ description: `The protocol version: \`${TUS_VERSION}\` (412 for anything else)` }),
);

const DraftInterop = Type.Optional(
  Type.String({
    description:
      'Instead of `Tus-Resumable`: the IETF "Resumable Uploads for HTTP" draft as URLSession speaks it, ' +
      'interop version 3 (iOS 17), 5 or 6 (iOS 18); such an upload is created by a plain `POST /media/upload` ' +
      'carrying this header, answered `104` with its `Location`',
  }),
);
const DraftBoolean = Type.Optional(
  Type.String({ description: 'IETF draft: `?1` or `?0` (`Upload-Incomplete` in version 3)' }),
);

/** `POST /uploads`: a new resumable upload of `Upload-Length` bytes, described by `Upload-Metadata`. */
export const TusCreateHeaders = Type.Object(
  {
    'tus-resumable': TusResumable,
    'upload-length': ByteCount,
    'upload-metadata': Type.Optional(
      Type.String({
        maxLength: 16 * 1024,
        description:
          'Comma-separated `key base64(value)` pairs: `filename` (required), `createdAt`, `modifiedAt`, ' +
          '`localId`, `originalPath`, `sessionId`, `sha256`, `albums` (a JSON array of names, or one name)',
      }),
    ),
  },
  { additionalProperties: true },
);
export type TusCreateHeaders = Static<typeof TusCreateHeaders>;

/** `PATCH /uploads/{id}`: bytes at `Upload-Offset`, as `application/offset+octet-stream`. */
export const TusPatchHeaders = Type.Object(
  {
    'tus-resumable': TusResumable,
    'upload-offset': ByteCount,
    'content-type': Type.Optional(
      Type.String({
        description:
          'tus: `application/offset+octet-stream`; the IETF draft (interop 6): `application/partial-upload`',
      }),
    ),
    'upload-checksum': Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'tus checksum: `sha1 <base64>` or `sha256 <base64>` of this part; 460 if it does not match',
      }),
    ),
    'upload-draft-interop-version': DraftInterop,
    'upload-complete': DraftBoolean,
    'upload-incomplete': DraftBoolean,
  },
  { additionalProperties: true },
);
export type TusPatchHeaders = Static<typeof TusPatchHeaders>;

/** `HEAD` / `DELETE /uploads/{id}`. */
export const TusHeaders = Type.Object(
  { 'tus-resumable': TusResumable, 'upload-draft-interop-version': DraftInterop },
  { additionalProperties: true },
);

export const UploadIdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, description: 'From the creation’s `Location`' }) },
  { additionalProperties: false },
);
export type UploadIdParams = Static<typeof UploadIdParams>;

/** 204 answers (a part received, an upload abandoned, the options): headers only. */
export const TusNoContent = Type.Null({
  description: 'No body: the `Upload-*` and `Tus-*` headers say it all',
});
