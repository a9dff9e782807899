import type { Kysely, Updateable } from 'kysely';

import type {
  BackupFrequency,
  BackupSelection,
  BackupSessionStatus,
  Database,
  Device,
  DevicePlatform,
  DeviceScope,
  DevicesTable,
  User,
} from './schema.js';
import { isUuid } from './uuid.js';

/** `last_seen_at` is written at most this often per device: every write wears a Pi's SD card. */
export const DEVICE_TOUCH_INTERVAL_MS = 60_000;

/** A device to register for `userId`, with the token id its token will carry. */
export interface NewDevice {
  userId: string;
  name: string;
  platform: DevicePlatform;
  scopes: DeviceScope[];
  /** The `jti` of the token issued to the device, a uuid. */
  tokenId: string;
}

/** What the owner of a device may change. */
export interface DeviceChanges {
  name?: string;
  backupFrequency?: BackupFrequency;
  backupSelection?: BackupSelection;
  deleteAfterBackup?: boolean;
}

/** Inserts a device. The schema refuses an unknown platform or scope, or no scope at all. */
export async function createDevice(db: Kysely<Database>, input: NewDevice): Promise<Device> {
  return db
    .insertInto('devices')
    .values({
      user_id: input.userId,
      name: input.name,
      platform: input.platform,
      scopes: input.scopes,
      token_id: input.tokenId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** How a device's latest ended backup session went, as a device list shows it. */
export interface DeviceLastBackup {
  id: string;
  status: Exclude<BackupSessionStatus, 'running'>;
  started_at: Date;
  ended_at: Date;
  files: number;
  bytes: number;
  duplicates: number;
  failures: number;
  error: string | null;
}

/** A device with how its backups are going. */
export type DeviceOverview = Device & {
  /** Its latest ended backup session (completed, failed or cancelled), if any. */
  last_backup: DeviceLastBackup | null;
  /** Whether it has a backup session running now. */
  running_backup: boolean;
};

/** Whose devices to list: one user's, or every user's of the household (for an admin). */
export type DeviceOwners = { userId: string } | { everyUser: true };

/**
 * Devices that are not revoked, newest first, each with its latest ended backup session and
 * whether one is running: one query whatever the number of devices, each session lookup an
 * index probe on `(device_id, started_at)`. A device's sessions never overlap (starting one
 * ends the one before), so the latest started of its ended sessions is the latest ended.
 *
 * @example
 * const mine = await listDevices(db, { userId });
 * const household = await listDevices(db, { everyUser: true });
 */
export async function listDevices(db: Kysely<Database>, owners: DeviceOwners): Promise<DeviceOverview[]> {
  if ('userId' in owners && !isUuid(owners.userId)) return [];
  let select = selectDeviceOverviews(db).where('d.revoked_at', 'is', null);
  if ('userId' in owners) select = select.where('d.user_id', '=', owners.userId);
  const rows = await select.orderBy('d.created_at', 'desc').orderBy('d.id', 'desc').execute();
  return rows.map(toDeviceOverview);
}

/**
 * One device with how its backups are going, revoked or not (a pairing shows the device it made
 * even after it was removed). Callers check whose it is.
 */
export async function findDeviceOverview(
  db: Kysely<Database>,
  query: { id: string },
): Promise<DeviceOverview | undefined> {
  if (!isUuid(query.id)) return undefined;
  const row = await selectDeviceOverviews(db).where('d.id', '=', query.id).executeTakeFirst();
  return row && toDeviceOverview(row);
}

function selectDeviceOverviews(db: Kysely<Database>) {
  return db
    .selectFrom('devices as d')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('backup_sessions as s')
          .select([
            's.id',
            's.status',
            's.started_at',
            's.ended_at',
            's.files',
            's.bytes',
            's.duplicates',
            's.failures',
            's.error',
          ])
          .whereRef('s.device_id', '=', 'd.id')
          .where('s.status', '<>', 'running')
          .orderBy('s.started_at', 'desc')
          .orderBy('s.id', 'desc')
          .limit(1)
          .as('last'),
      (join) => join.onTrue(),
    )
    .selectAll('d')
    .select([
      'last.id as last_id',
      'last.status as last_status',
      'last.started_at as last_started_at',
      'last.ended_at as last_ended_at',
      'last.files as last_files',
      'last.bytes as last_bytes',
      'last.duplicates as last_duplicates',
      'last.failures as last_failures',
      'last.error as last_error',
    ])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('backup_sessions as r')
            .select('r.id')
            .whereRef('r.device_id', '=', 'd.id')
            .where('r.status', '=', 'running'),
        )
        .as('running_backup'),
    );
}

type DeviceOverviewRow = Awaited<
  ReturnType<ReturnType<typeof selectDeviceOverviews>['executeTakeFirstOrThrow']>
>;

function toDeviceOverview({
  last_id,
  last_status,
  last_started_at,
  last_ended_at,
  last_files,
  last_bytes,
  last_duplicates,
  last_failures,
  last_error,
  running_backup,
  ...device
}: DeviceOverviewRow): DeviceOverview {
  const ended =
    last_id !== null && last_status !== null && last_status !== 'running' && last_ended_at !== null;
  return {
    ...device,
    last_backup: ended
      ? {
          id: last_id,
          status: last_status,
          started_at: last_started_at!,
          ended_at: last_ended_at,
          files: last_files!,
          bytes: last_bytes!,
          duplicates: last_duplicates!,
          failures: last_failures!,
          error: last_error,
        }
      : null,
    running_backup: Boolean(running_backup),
  };
}

/**
 * One of the user's devices, if it is not revoked. Another user's device, like a malformed id,
 * is simply not found, so callers answer 404 and reveal nothing.
 */
export async function findDevice(
  db: Kysely<Database>,
  query: { id: string; userId: string },
): Promise<Device | undefined> {
  if (!isUuid(query.id) || !isUuid(query.userId)) return undefined;
  return db
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', query.id)
    .where('user_id', '=', query.userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/**
 * Any active device of the household, whoever it belongs to: for an owner or admin managing
 * another member's device. Callers decide who may; a malformed id is not found.
 */
export async function findHouseholdDevice(
  db: Kysely<Database>,
  query: { id: string },
): Promise<Device | undefined> {
  if (!isUuid(query.id)) return undefined;
  return db
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', query.id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

/**
 * The device a token names (`did`, `sub`, `jti`), with its user, if the device is not revoked
 * and the token is its current one. Runs on every device-token request: one primary-key lookup
 * joined to the user by primary key.
 *
 * @example
 * const found = await findActiveDeviceForToken(db, { id: claims.did, userId: claims.sub, tokenId: claims.jti });
 * if (!found) throw unauthorized();
 */
export async function findActiveDeviceForToken(
  db: Kysely<Database>,
  query: { id: string; userId: string; tokenId: string },
): Promise<{ device: Device; user: User } | undefined> {
  if (!isUuid(query.id) || !isUuid(query.userId) || !isUuid(query.tokenId)) return undefined;
  const row = await db
    .selectFrom('devices as d')
    .innerJoin('users as u', 'u.id', 'd.user_id')
    .select([
      'd.id',
      'd.user_id',
      'd.name',
      'd.platform',
      'd.scopes',
      'd.token_id',
      'd.backup_frequency',
      'd.backup_selection',
      'd.delete_after_backup',
      'd.created_at',
      'd.last_seen_at',
      'd.last_backup_at',
      'd.revoked_at',
      'u.username',
      'u.library_folder',
      'u.display_name',
      'u.password_hash',
      'u.role',
      'u.created_at as user_created_at',
      'u.updated_at as user_updated_at',
    ])
    .where('d.id', '=', query.id)
    .where('d.user_id', '=', query.userId)
    .where('d.token_id', '=', query.tokenId)
    .where('d.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    device: {
      id: row.id,
      user_id: row.user_id,
      name: row.name,
      platform: row.platform,
      scopes: row.scopes,
      token_id: row.token_id,
      backup_frequency: row.backup_frequency,
      backup_selection: row.backup_selection,
      delete_after_backup: row.delete_after_backup,
      created_at: row.created_at,
      last_seen_at: row.last_seen_at,
      last_backup_at: row.last_backup_at,
      revoked_at: row.revoked_at,
    },
    user: {
      id: row.user_id,
      username: row.username,
      library_folder: row.library_folder,
      display_name: row.display_name,
      password_hash: row.password_hash,
      role: row.role,
      created_at: row.user_created_at,
      updated_at: row.user_updated_at,
    },
  };
}

/**
 * Renames a device or changes its backup preferences. Only the user's own, active devices;
 * `undefined` otherwise. With no changes it returns the device as it is.
 */
export async function updateDevice(
  db: Kysely<Database>,
  query: { id: string; userId: string; changes: DeviceChanges },
): Promise<Device | undefined> {
  if (!isUuid(query.id) || !isUuid(query.userId)) return undefined;
  const { changes } = query;
  const set: Updateable<DevicesTable> = {};
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.backupFrequency !== undefined) set.backup_frequency = changes.backupFrequency;
  if (changes.backupSelection !== undefined) set.backup_selection = changes.backupSelection;
  if (changes.deleteAfterBackup !== undefined) set.delete_after_backup = changes.deleteAfterBackup;
  if (Object.keys(set).length === 0) return findDevice(db, query);
  return db
    .updateTable('devices')
    .set(set)
    .where('id', '=', query.id)
    .where('user_id', '=', query.userId)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Revokes one of the user's devices: its token stops working on the next request. The row
 * stays, so its media and backup history still name it. `false` when there was nothing to revoke.
 */
export async function revokeDevice(
  db: Kysely<Database>,
  query: { id: string; userId: string; now: Date },
): Promise<boolean> {
  if (!isUuid(query.id) || !isUuid(query.userId)) return false;
  const result = await db
    .updateTable('devices')
    .set({ revoked_at: query.now })
    .where('id', '=', query.id)
    .where('user_id', '=', query.userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Records that the device was used at `now`, unless that was already recorded less than
 * {@link DEVICE_TOUCH_INTERVAL_MS} ago. Returns whether a row was written.
 */
export async function touchDevice(db: Kysely<Database>, query: { id: string; now: Date }): Promise<boolean> {
  if (!isUuid(query.id)) return false;
  const staleBefore = new Date(query.now.getTime() - DEVICE_TOUCH_INTERVAL_MS);
  const result = await db
    .updateTable('devices')
    .set({ last_seen_at: query.now })
    .where('id', '=', query.id)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('last_seen_at', 'is', null), eb('last_seen_at', '<=', staleBefore)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
