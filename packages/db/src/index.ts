export * from './schema.js';
export { DbError, type DbErrorCode } from './errors.js';
export { openDatabase, type DatabaseHandle, type OpenDatabaseOptions } from './open-database.js';
export { migrateToLatest, type MigrateOptions } from './migrate.js';
export { PGliteDialect, type PGliteDialectConfig } from './pglite-dialect.js';
export { checkDatabaseHealth, type DatabaseHealth } from './health.js';
export {
  countUsers,
  createFirstOwner,
  createUser,
  findUserById,
  findUserByUsername,
  type NewUser,
} from './users.repository.js';
export {
  AUTH_SESSION_TOUCH_INTERVAL_MS,
  createAuthSession,
  findActiveAuthSession,
  revokeAuthSession,
  touchAuthSession,
  type NewAuthSession,
} from './auth-sessions.repository.js';
// So callers can type `db` parameters without depending on kysely themselves.
export type { Kysely, Transaction } from 'kysely';
