import { SCOPES } from '@iclood/api-types';
import type { ColumnType, Generated, Selectable } from 'kysely';

// Column types as Kysely sees them. Conventions: snake_case names exactly as in SQL; nullable is
// `T | null`; timestamptz is `Date`; bigint comes back as `number` (both drivers install an int8
// parser, see open-database.ts) because byte counts stay far below 2^53.

/** One owner; admins manage the household with them; members have their own library only. */
export const USER_ROLES = ['owner', 'admin', 'member'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const DEVICE_PLATFORMS = ['ios', 'shortcuts', 'cli', 'web', 'other'] as const;
export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number];

/** The token scopes: the HTTP contract's one list (the devices_scopes_check constraint holds the same). */
export const DEVICE_SCOPES = SCOPES;
export type DeviceScope = (typeof DEVICE_SCOPES)[number];

export const BACKUP_FREQUENCIES = ['weekly', 'daily', 'manual'] as const;
export type BackupFrequency = (typeof BACKUP_FREQUENCIES)[number];

export const BACKUP_SELECTIONS = ['all', 'new'] as const;
export type BackupSelection = (typeof BACKUP_SELECTIONS)[number];

export const PAIRING_STATUSES = ['pending', 'claimed', 'expired', 'burned'] as const;
export type PairingStatus = (typeof PAIRING_STATUSES)[number];

export const BACKUP_SESSION_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type BackupSessionStatus = (typeof BACKUP_SESSION_STATUSES)[number];

export const MEDIA_TYPES = ['photo', 'video'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export const THUMBNAIL_STATUSES = ['pending', 'ready', 'failed', 'unsupported'] as const;
export type ThumbnailStatus = (typeof THUMBNAIL_STATUSES)[number];

export const JOB_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/**
 * jsonb columns hold objects only: `pg` would send a top-level JS array as a PostgreSQL array
 * literal, not as JSON.
 */
export type JsonObject = { [key: string]: JsonValue };

/** A jsonb column with a `'{}'` default. */
type JsonObjectColumn = ColumnType<JsonObject, JsonObject | undefined, JsonObject>;

export interface UsersTable {
  id: Generated<string>;
  username: string;
  /**
   * The user's folder at the top of the library, chosen once when the user is made (usually the
   * username) and never changed: unique in any letter case, one safe path segment.
   */
  library_folder: string;
  display_name: string | null;
  password_hash: string;
  role: UserRole;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A dashboard or CLI login; the `sid` of a session JWT names one row. */
export interface AuthSessionsTable {
  id: Generated<string>;
  user_id: string;
  created_at: Generated<Date>;
  expires_at: Date;
  last_seen_at: Date | null;
  revoked_at: Date | null;
  user_agent: string | null;
  ip: string | null;
}

export interface DevicesTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  platform: DevicePlatform;
  scopes: DeviceScope[];
  /** The `jti` of the device's token; writing a new one invalidates every older token. */
  token_id: string;
  backup_frequency: Generated<BackupFrequency>;
  backup_selection: Generated<BackupSelection>;
  delete_after_backup: Generated<boolean>;
  created_at: Generated<Date>;
  last_seen_at: Date | null;
  /** When the device's last completed backup session ended. */
  last_backup_at: Date | null;
  revoked_at: Date | null;
}

export interface PairingSessionsTable {
  id: Generated<string>;
  /** The user the paired device will belong to. */
  user_id: string;
  /** Who opened the pairing: the user themselves, or an owner/admin pairing a member's phone. */
  opened_by: string;
  code_hash: string;
  secret_hash: string;
  status: Generated<PairingStatus>;
  attempts: Generated<number>;
  expires_at: Date;
  created_at: Generated<Date>;
  claimed_at: Date | null;
  device_id: string | null;
}

export interface BackupSessionsTable {
  id: Generated<string>;
  user_id: string;
  device_id: string;
  status: Generated<BackupSessionStatus>;
  started_at: Generated<Date>;
  ended_at: Date | null;
  expected_files: number | null;
  expected_bytes: number | null;
  files: Generated<number>;
  bytes: Generated<number>;
  duplicates: Generated<number>;
  failures: Generated<number>;
  error: string | null;
}

export interface MediaTable {
  id: Generated<string>;
  user_id: string;
  device_id: string | null;
  session_id: string | null;
  original_name: string;
  display_name: string | null;
  /** Path relative to the library root, `/`-separated. */
  rel_path: string;
  /** Lowercase hex SHA-256 of the original bytes. */
  sha256: string;
  size: number;
  media_type: MediaType;
  mime: string;
  taken_at: Date;
  /** Local UTC offset at capture, so "taken on 2024-03-10 at 09:15 local time" survives. */
  taken_at_offset_minutes: number | null;
  uploaded_at: Generated<Date>;
  modified_at: Date | null;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  latitude: number | null;
  longitude: number | null;
  camera_make: string | null;
  camera_model: string | null;
  orientation: number | null;
  metadata: JsonObjectColumn;
  /** The client's own asset id (PHAsset localIdentifier on iOS). */
  local_id: string | null;
  original_path: string | null;
  favorite: Generated<boolean>;
  trashed_at: Date | null;
  thumbnail_status: Generated<ThumbnailStatus>;
}

/** Files a client asked never to be offered for backup again. */
export interface IgnoredFilesTable {
  id: Generated<string>;
  user_id: string;
  device_id: string | null;
  name: string;
  original_path: string | null;
  sha256: string | null;
  local_id: string | null;
  created_at: Generated<Date>;
}

export interface AlbumsTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  cover_media_id: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AlbumMediaTable {
  album_id: string;
  media_id: string;
  added_at: Generated<Date>;
}

/** Persisted background work (thumbnails and the like), so a restart resumes it. */
export interface JobsTable {
  id: Generated<string>;
  /** Dotted lowercase name, e.g. `thumbnail.generate`. */
  kind: string;
  status: Generated<JobStatus>;
  payload: JsonObjectColumn;
  media_id: string | null;
  attempts: Generated<number>;
  max_attempts: Generated<number>;
  run_at: Generated<Date>;
  locked_at: Date | null;
  last_error: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A resumable upload begun and not finished (tus 1.0); its bytes are in the library's `.tmp`. */
export interface PartialUploadsTable {
  id: Generated<string>;
  user_id: string;
  device_id: string | null;
  /** The file's size, declared at creation (`Upload-Length`). */
  upload_length: number;
  /** Bytes received and fsynced: the offset a client resumes from. */
  received_bytes: Generated<number>;
  /** The upload's fields (file name, createdAt, localId, sessionId, albums, sha256…). */
  fields: JsonObjectColumn;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  expires_at: Date;
}

export interface Database {
  users: UsersTable;
  auth_sessions: AuthSessionsTable;
  devices: DevicesTable;
  pairing_sessions: PairingSessionsTable;
  backup_sessions: BackupSessionsTable;
  media: MediaTable;
  ignored_files: IgnoredFilesTable;
  albums: AlbumsTable;
  album_media: AlbumMediaTable;
  jobs: JobsTable;
  partial_uploads: PartialUploadsTable;
}

export type User = Selectable<UsersTable>;
export type AuthSession = Selectable<AuthSessionsTable>;
export type Device = Selectable<DevicesTable>;
export type PairingSession = Selectable<PairingSessionsTable>;
export type BackupSession = Selectable<BackupSessionsTable>;
export type Media = Selectable<MediaTable>;
export type IgnoredFile = Selectable<IgnoredFilesTable>;
export type Album = Selectable<AlbumsTable>;
export type AlbumMedia = Selectable<AlbumMediaTable>;
export type Job = Selectable<JobsTable>;
export type PartialUpload = Selectable<PartialUploadsTable>;
