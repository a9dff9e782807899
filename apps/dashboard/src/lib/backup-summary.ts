// The household's backups in one line, for the top of the Photos view.
import { DAY_MS, backupWarning, formatTimeAgo, type HouseholdDevice } from './backup-health.js';

export interface BackupSummaryLine {
  /** "3 phones backed up in the last day; Tom's iPhone: 9 days ago". */
  text: string;
  /** True when some device has not backed up for twice its preferred interval. */
  attention: boolean;
}

/** Overdue devices named one by one; beyond this many, "and N more". */
const NAMED_AT_MOST = 2;

const isPhone = (device: HouseholdDevice) => device.platform === 'ios' || device.platform === 'shortcuts';

/**
 * Sums up the devices' backups: how many completed one in the last 24 hours, then each device that
 * has not backed up for twice its preferred interval with how long ago it last did (or that it
 * never did). Undefined when there are no devices, so the line is not shown at all.
 *
 * @example
 * summarizeBackups(devices, Date.now())
 * // { text: "3 phones backed up in the last day; Tom's iPhone: 9 days ago", attention: true }
 */
export function summarizeBackups(
  devices: readonly HouseholdDevice[],
  now: number,
): BackupSummaryLine | undefined {
  if (devices.length === 0) return undefined;
  const recent = devices.filter((device) => {
    const at = device.lastBackupAt;
    return at !== null && now - Date.parse(at) < DAY_MS;
  });
  const overdue = devices
    .map((device) => ({ device, warning: backupWarning(device, now) }))
    .filter((entry) => entry.warning !== null)
    // The longest without a backup first: never, then oldest.
    .sort((a, b) => sinceMs(a.warning!.since) - sinceMs(b.warning!.since));

  const counted = recent.length > 0 ? recent : devices;
  const noun = counted.every(isPhone) ? 'phone' : 'device';
  const parts: string[] = [];
  if (recent.length === 0) parts.push(`No ${noun} backed up in the last day`);
  else if (recent.length === devices.length && devices.length > 1)
    parts.push(`All ${recent.length} ${noun}s backed up in the last day`);
  else parts.push(`${recent.length} ${recent.length === 1 ? noun : `${noun}s`} backed up in the last day`);

  for (const { device, warning } of overdue.slice(0, NAMED_AT_MOST)) {
    parts.push(
      `${device.name}: ${warning!.since === null ? 'never backed up' : formatTimeAgo(warning!.since, now)}`,
    );
  }
  if (overdue.length > NAMED_AT_MOST)
    parts.push(`${overdue.length - NAMED_AT_MOST} more not backed up lately`);
  return { text: parts.join('; '), attention: overdue.length > 0 };
}

const sinceMs = (since: string | null) => (since === null ? -Infinity : Date.parse(since));
