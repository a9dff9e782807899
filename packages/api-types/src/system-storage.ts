import { Type, type Static } from 'typebox';
import { MediaType } from './media.js';

const Bytes = Type.Integer({ minimum: 0 });
const Count = Type.Integer({ minimum: 0 });

const ItemBytes = Type.Object({ items: Count, bytes: Bytes }, { additionalProperties: false });
const FileBytes = Type.Object({ files: Count, bytes: Bytes }, { additionalProperties: false });

/** The filesystem holding the library (statfs), as the server process sees it. */
export const DiskSpace = Type.Object(
  {
    totalBytes: Bytes,
    freeBytes: Type.Integer({ minimum: 0, description: 'Available to the server (root reserve excluded)' }),
    usedBytes: Bytes,
  },
  { additionalProperties: false },
);
export type DiskSpace = Static<typeof DiskSpace>;

export const StorageWarning = Type.Object(
  {
    code: Type.Union([Type.Literal('DISK_LOW'), Type.Literal('BELOW_MIN_FREE')], {
      description:
        '`DISK_LOW`: under 10 % of the disk is free; `BELOW_MIN_FREE`: less is free than ICLOOD_MIN_FREE_BYTES, ' +
        'so uploads are being refused',
    }),
    message: Type.String(),
  },
  { additionalProperties: false },
);
export type StorageWarning = Static<typeof StorageWarning>;

/**
 * `GET /system/storage`. The owner and admins see the whole household; a member sees the disk and their own
 * library only (then `scope` is `user`, `byUser` holds just them, and `thumbnails` is left out).
 */
export const SystemStorage = Type.Object(
  {
    scope: Type.Union([Type.Literal('household'), Type.Literal('user')]),
    disk: DiskSpace,
    library: Type.Object(
      {
        items: Count,
        bytes: Type.Integer({ minimum: 0, description: 'Originals not in the trash' }),
        byType: Type.Array(
          Type.Object({ type: MediaType, items: Count, bytes: Bytes }, { additionalProperties: false }),
        ),
        byUser: Type.Array(
          Type.Object(
            { userId: Type.String({ format: 'uuid' }), username: Type.String(), items: Count, bytes: Bytes },
            { additionalProperties: false },
          ),
        ),
        byDevice: Type.Array(
          Type.Object(
            {
              deviceId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
                description: 'null: items that came with no device',
              }),
              deviceName: Type.Union([Type.String(), Type.Null()]),
              userId: Type.String({ format: 'uuid' }),
              items: Count,
              bytes: Bytes,
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
    trash: ItemBytes,
    thumbnails: Type.Union([FileBytes, Type.Null()], {
      description: 'Every file under the thumbnail folder; null for a member (it is shared)',
    }),
    resumableUploads: Type.Object(
      {
        uploads: Count,
        receivedBytes: Type.Integer({ minimum: 0, description: 'Received so far, in the library’s .tmp' }),
        pendingBytes: Type.Integer({
          minimum: 0,
          description:
            'Still to come (Upload-Length less what was received): counted as taken by new uploads',
        }),
      },
      {
        additionalProperties: false,
        description: 'Resumable uploads begun and not finished (expired ones until they are swept)',
      },
    ),
    minFreeBytes: Type.Integer({ minimum: 0, description: 'ICLOOD_MIN_FREE_BYTES' }),
    warnings: Type.Array(StorageWarning),
  },
  { additionalProperties: false },
);
export type SystemStorage = Static<typeof SystemStorage>;

/** The short form in `GET /system/status`. */
export const StorageSummary = Type.Object(
  {
    diskTotalBytes: Bytes,
    diskFreeBytes: Bytes,
    libraryItems: Count,
    libraryBytes: Type.Integer({ minimum: 0, description: 'Every original on disk, the trash included' }),
  },
  {
    additionalProperties: false,
    description:
      'Disk space and library size: the household’s for an admin (or the owner), their own for anyone else',
  },
);
export type StorageSummary = Static<typeof StorageSummary>;

/** `POST /system/cleanup`: what was removed and how much space it gave back. */
export const CleanupResult = Type.Object(
  {
    trash: Type.Object(
      { items: Count, bytes: Bytes },
      { additionalProperties: false, description: 'Items in the trash longer than ICLOOD_TRASH_DAYS' },
    ),
    tempFiles: Type.Object(
      { files: Count, bytes: Bytes },
      { additionalProperties: false, description: 'Uploads left unfinished for over an hour' },
    ),
    orphanThumbnails: Type.Object(
      { files: Count, bytes: Bytes },
      { additionalProperties: false, description: 'Thumbnails of items that no longer exist' },
    ),
    bytesFreed: Bytes,
  },
  { additionalProperties: false },
);
export type CleanupResult = Static<typeof CleanupResult>;
