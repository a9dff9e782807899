import type { DeviceLastBackup, DeviceSummary, Scope } from '@iclood/api-types';
import type { Device, DeviceOverview } from '@iclood/db';

/**
 * A device as the API shows it. A plain `Device` (one just made) has no backups yet; pass a
 * `DeviceOverview` (from `listDevices`/`findDeviceOverview`) for one that may.
 */
export function toDeviceSummary(device: Device | DeviceOverview, currentDeviceId?: string): DeviceSummary {
  const overview = 'running_backup' in device ? device : undefined;
  return {
    id: device.id,
    userId: device.user_id,
    name: device.name,
    platform: device.platform,
    scopes: device.scopes as Scope[],
    createdAt: device.created_at.toISOString(),
    lastSeenAt: device.last_seen_at?.toISOString() ?? null,
    lastBackupAt: device.last_backup_at?.toISOString() ?? null,
    lastBackup: overview?.last_backup ? toLastBackup(overview.last_backup) : null,
    runningBackup: overview?.running_backup ?? false,
    preferences: {
      frequency: device.backup_frequency,
      selection: device.backup_selection,
      deleteAfterBackup: device.delete_after_backup,
    },
    current: device.id === currentDeviceId,
  };
}

function toLastBackup(session: NonNullable<DeviceOverview['last_backup']>): DeviceLastBackup {
  return {
    id: session.id,
    status: session.status,
    startedAt: session.started_at.toISOString(),
    endedAt: session.ended_at.toISOString(),
    files: session.files,
    bytes: session.bytes,
    duplicates: session.duplicates,
    failures: session.failures,
    error: session.error,
  };
}
