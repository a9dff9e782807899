/**
 * Every error code the API can answer with, and its HTTP status. Clients match on `code`;
 * the server's single error handler uses this table to pick the status.
 */
export const errorStatusByCode = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  /** A new username that cannot name its own library folder (`..`, `.carol`, `carol.`, `con`). */
  INVALID_USERNAME: 400,
  INVALID_JSON: 400,
  INVALID_FILENAME: 400,
  EMPTY_FILE: 400,
  FILE_MISSING: 400,
  TOO_MANY_FILES: 400,
  MALFORMED_MULTIPART: 400,
  CHECKSUM_MISMATCH: 400,
  UPLOAD_ABORTED: 400,
  UNAUTHORIZED: 401,
  INVALID_CREDENTIALS: 401,
  PAIRING_CODE_INVALID: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  FORBIDDEN: 403,
  SCOPE_REQUIRED: 403,
  CROSS_SITE_REQUEST: 403,
  /** Something only the owner may do: make or unmake an admin, change the owner's or an admin's account. */
  OWNER_ONLY: 403,
  /** A password change whose current password is wrong. */
  WRONG_CURRENT_PASSWORD: 403,
  NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  FILE_MISSING_ON_DISK: 404,
  /** A restore selection that names no item of the caller's outside the trash. */
  NOTHING_TO_RESTORE: 404,
  /** Thumbnails not made yet; `Retry-After` says when to ask again. */
  THUMBNAIL_PENDING: 404,
  /** The original could not be read as a picture (corrupt, or over the pixel limit). */
  THUMBNAIL_FAILED: 404,
  /** No thumbnail can be made of this kind of file here (a video without ffmpeg, a RAW format). */
  THUMBNAIL_UNAVAILABLE: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  SETUP_ALREADY_DONE: 409,
  USERNAME_TAKEN: 409,
  OWNER_EXISTS: 409,
  CANNOT_DELETE_OWNER: 409,
  /** The owner stays the owner: their role cannot be changed. */
  CANNOT_CHANGE_OWNER_ROLE: 409,
  /** Nobody removes their own account (the owner, or another admin, can). */
  CANNOT_DELETE_SELF: 409,
  PAIRING_CLOSED: 409,
  /** As many pairings are open as the server allows at once; one must be used or expire first. */
  TOO_MANY_OPEN_PAIRINGS: 409,
  ALBUM_NAME_TAKEN: 409,
  /** A resumable upload's PATCH at another offset than the one received; `Upload-Offset` gives it. */
  UPLOAD_OFFSET_MISMATCH: 409,
  /** Another request is writing this resumable upload right now; `Upload-Offset` gives the offset. */
  UPLOAD_IN_PROGRESS: 409,
  /** A resumable upload abandoned for longer than ICLOOD_UPLOAD_EXPIRY_HOURS: its bytes are gone. */
  UPLOAD_EXPIRED: 410,
  /** A resumable request without `Tus-Resumable: 1.0.0`; `Tus-Version` lists what is spoken. */
  UPLOAD_PROTOCOL_UNSUPPORTED: 412,
  PAYLOAD_TOO_LARGE: 413,
  FILE_TOO_LARGE: 413,
  /** More bytes than the resumable upload's `Upload-Length`. */
  UPLOAD_LENGTH_EXCEEDED: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  UNPROCESSABLE: 422,
  /** tus checksum extension: the part's `Upload-Checksum` does not match its bytes; nothing of it is kept. */
  UPLOAD_CHECKSUM_MISMATCH: 460,
  ALBUM_COVER_NOT_IN_ALBUM: 422,
  RATE_LIMITED: 429,
  /** Wrong pairing codes from this client, or from everyone, used up their budget; `Retry-After` says when. */
  TOO_MANY_PAIRING_ATTEMPTS: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  STORAGE_FULL: 507,
} as const;

export type ErrorCode = keyof typeof errorStatusByCode;

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(errorStatusByCode, code);
}
