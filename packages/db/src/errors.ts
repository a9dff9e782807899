/** Stable codes callers match on (`err.code === 'USERNAME_TAKEN'`), never on message text. */
export type DbErrorCode =
  | 'DATABASE_UNAVAILABLE'
  | 'MIGRATION_FAILED'
  | 'USERNAME_TAKEN'
  | 'INVALID_USERNAME'
  | 'LIBRARY_FOLDER_TAKEN'
  | 'OWNER_EXISTS'
  | 'PAIRING_CODE_TAKEN'
  | 'TOO_MANY_OPEN_PAIRINGS'
  | 'MEDIA_PATH_TAKEN'
  | 'DEVICE_NOT_FOUND';

/**
 * The one error class this package throws on purpose. Driver errors that are not a known
 * business case (a unique index we expect to hit, say) pass through unchanged.
 *
 * @example
 * try { await createUser(db, input) } catch (err) {
 *   if (err instanceof Error && (err as DbError).code === 'USERNAME_TAKEN') reply.code(409)
 * }
 */
export class DbError extends Error {
  override readonly name = 'DbError';
  readonly code: DbErrorCode;

  constructor(code: DbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const UNIQUE_VIOLATION = '23505';
const CHECK_VIOLATION = '23514';

// pg's DatabaseError and PGlite's DatabaseError share these fields; for a unique index that
// is not a table constraint, `constraint` carries the index name.
interface PostgresErrorFields {
  code?: unknown;
  constraint?: unknown;
}

function hasPostgresFields(err: unknown): err is PostgresErrorFields {
  return typeof err === 'object' && err !== null && 'code' in err;
}

/** True when `err` is a unique violation of the named constraint or unique index. */
export function isUniqueViolation(err: unknown, constraintName: string): boolean {
  return hasPostgresFields(err) && err.code === UNIQUE_VIOLATION && err.constraint === constraintName;
}

/** True when `err` is a CHECK violation of the named constraint. */
export function isCheckViolation(err: unknown, constraintName: string): boolean {
  return hasPostgresFields(err) && err.code === CHECK_VIOLATION && err.constraint === constraintName;
}
