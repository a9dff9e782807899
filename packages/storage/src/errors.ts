export type StorageErrorCode = 'DATA_DIR_UNUSABLE' | 'DATA_DIR_LOCKED' | 'SECRET_FILE_INVALID';

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
