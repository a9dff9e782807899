/**
 * Stable codes of {@link StorageError}; the server maps them to HTTP statuses
 * (`STORAGE_FULL` → 507, `FILE_TOO_LARGE` → 413, `EMPTY_FILE` → 400, `PATH_OUTSIDE_LIBRARY` → 400).
 */
export type StorageErrorCode =
  | 'DATA_DIR_UNUSABLE'
  | 'DATA_DIR_LOCKED'
  | 'SECRET_FILE_INVALID'
  /** A library path would resolve outside the library (`..`, absolute, NUL, a symlink out). */
  | 'PATH_OUTSIDE_LIBRARY'
  /** A name (a username used as a folder) has nothing usable left once sanitised. */
  | 'INVALID_NAME'
  /** Not enough free space: refused up front, or the disk filled up mid-write (ENOSPC/EDQUOT). */
  | 'STORAGE_FULL'
  /** The upload went past its `maxBytes` limit. */
  | 'FILE_TOO_LARGE'
  /** The upload had no bytes. */
  | 'EMPTY_FILE'
  /** The caller's AbortSignal fired before the upload was fully received (or a part with a checksum was cut off). */
  | 'UPLOAD_ABORTED'
  /** A part appended to a file brought more bytes than its `maxBytes`. */
  | 'UPLOAD_LENGTH_EXCEEDED'
  /** A part appended to a file does not match the checksum it came with. */
  | 'CHECKSUM_MISMATCH'
  /** The library's filesystem cannot hard-link (FAT/exFAT), which no-overwrite placement needs. */
  | 'HARD_LINKS_UNSUPPORTED'
  /** Every clash-suffixed variant of a file name is taken. */
  | 'FILE_NAME_EXHAUSTED';

/** Errors from the storage package; callers match on `code`. */
export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}
