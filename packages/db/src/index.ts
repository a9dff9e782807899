export * from './schema.js';
export { DbError, type DbErrorCode } from './errors.js';
export {
  embeddedDatabaseExists,
  openDatabase,
  type DatabaseHandle,
  type OpenDatabaseOptions,
} from './open-database.js';
export { migrateToLatest, type MigrateOptions } from './migrate.js';
export { PGliteDialect, type PGliteDialectConfig } from './pglite-dialect.js';
export { checkDatabaseHealth, type DatabaseHealth } from './health.js';
export {
  countUsers,
  createFirstOwner,
  createUser,
  deleteUser,
  findUserById,
  findUserByUsername,
  listUsers,
  updateUser,
  type NewUser,
  type UserChanges,
  type UserRemoval,
} from './users.repository.js';
export {
  AUTH_SESSION_TOUCH_INTERVAL_MS,
  createAuthSession,
  findActiveAuthSession,
  revokeAuthSession,
  revokeUserAuthSessions,
  touchAuthSession,
  type NewAuthSession,
} from './auth-sessions.repository.js';
export {
  DEVICE_TOUCH_INTERVAL_MS,
  createDevice,
  findActiveDeviceForToken,
  findDevice,
  findDeviceOverview,
  findHouseholdDevice,
  listDevices,
  revokeDevice,
  touchDevice,
  updateDevice,
  type DeviceChanges,
  type DeviceLastBackup,
  type DeviceOverview,
  type DeviceOwners,
  type NewDevice,
} from './devices.repository.js';
export {
  claimPairingSession,
  countOpenPairingSessions,
  createPairingSession,
  expirePairingSessions,
  findPairingByCredential,
  findPairingSession,
  type NewPairingSession,
  type PairingCredentialHash,
  type PairingClaim,
  type PairingDevice,
} from './pairing-sessions.repository.js';
export {
  checkMedia,
  findMediaBySha256,
  insertMedia,
  recordedRelPaths,
  type InsertMediaResult,
  type MediaCheckItem,
  type MediaCheckResult,
  type MediaCheckState,
  type NewMedia,
} from './media.repository.js';
export {
  findMediaDetail,
  findUserMedia,
  listMedia,
  mediaTimeline,
  type MediaDetailRow,
  type MediaListPage,
  type MediaListPosition,
  type MediaListRow,
  type MediaSortKey,
  type MediaTimelineMonth,
} from './media-browse.repository.js';
export type { MediaListFilters } from './media-filters.js';
export { summarizeMedia, type MediaSummaryRow } from './media-summary.repository.js';
export {
  addIgnoredFiles,
  deleteIgnoredFile,
  listIgnoredFiles,
  type IgnoredFileItem,
  type IgnoredFilesCursor,
  type IgnoredFilesPage,
} from './ignored-files.repository.js';
export {
  backupStatus,
  findBackupSession,
  listBackupSessions,
  recordSessionUpload,
  startBackupSession,
  stopBackupSession,
  type BackupSessionsCursor,
  type BackupSessionsPage,
  type BackupStatus,
  type NewBackupSession,
  type SessionUploadOutcome,
} from './backup-sessions.repository.js';
export { restoreMedia, trashMedia, updateMedia, type MediaChanges } from './media-manage.repository.js';
export {
  deleteTrashedMedia,
  listTrash,
  trashedMediaToPurge,
  type PurgeCandidate,
  type PurgeScope,
  type TrashPage,
  type TrashPosition,
  type TrashRow,
} from './media-trash.repository.js';
export {
  addMediaToAlbum,
  addMediaToAlbumsByName,
  createAlbum,
  deleteAlbum,
  findAlbum,
  listAlbums,
  removeMediaFromAlbum,
  updateAlbum,
  type AlbumChanges,
  type AlbumSort,
  type AlbumSummaryRow,
  type CreateAlbumResult,
  type UpdateAlbumResult,
} from './albums.repository.js';
export {
  listRestoreBatch,
  userHasAlbum,
  type RestoreBatch,
  type RestorePosition,
  type RestoreRow,
  type RestoreSelection,
} from './media-restore.repository.js';
export {
  existingMediaIds,
  libraryBytes,
  libraryUsage,
  type DeviceUsage,
  type ItemBytes,
  type LibraryUsage,
  type UserUsage,
} from './storage-usage.repository.js';
export {
  THUMBNAIL_JOB_KIND,
  claimDueJobs,
  completeJob,
  countJobsByStatus,
  enqueueJob,
  enqueueMissingThumbnailJobs,
  failJob,
  findMediaJob,
  recoverInterruptedJobs,
  retryFailedThumbnailJobs,
  type JobCounts,
  type NewJob,
} from './jobs.repository.js';
export {
  findThumbnailSource,
  requestThumbnails,
  setThumbnailStatus,
  type ThumbnailSource,
} from './thumbnails.repository.js';
// So callers can type `db` parameters without depending on kysely themselves.
export type { Kysely, Transaction } from 'kysely';
export type { TakenBound } from './taken-range.js';
export {
  advancePartialUpload,
  createPartialUpload,
  deleteExpiredPartialUploads,
  deletePartialUpload,
  findPartialUpload,
  partialUploadUsage,
  recordedPartialUploadIds,
} from './partial-uploads.repository.js';
