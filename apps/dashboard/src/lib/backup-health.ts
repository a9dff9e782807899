// Pure rules about devices and their backups, shared by the devices page and the home summary.
import type { DevicePlatform, DeviceSummary } from '@iclood/api-types';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** A device with its backup status, as GET /devices answers. */
export type HouseholdDevice = DeviceSummary;

/** How often each preference means to back up; `manual` promises nothing. */
const INTERVAL_MS: Record<string, number | undefined> = { daily: DAY_MS, weekly: 7 * DAY_MS };

/** The platform in words: "iPhone app", "Shortcut", "command line", "web". */
export function platformLabel(platform: DevicePlatform): string {
  switch (platform) {
    case 'ios':
      return 'iPhone app';
    case 'shortcuts':
      return 'Shortcut';
    case 'cli':
      return 'command line';
    case 'web':
      return 'web';
    default:
      return 'other';
  }
}

/** "Backs up daily" for the preference. */
export function frequencyLabel(frequency: DeviceSummary['preferences']['frequency']): string {
  if (frequency === 'manual') return 'Backs up when asked (manual)';
  return `Backs up ${frequency}`;
}

export interface BackupWarning {
  /** `stale`: the last completed backup is too old; `never`: none completed since pairing long ago. */
  kind: 'stale' | 'never';
  /** The completed backup it is measured from, or null for `never`. */
  since: string | null;
  /** How long without a backup is too long for this device's preference (twice its interval). */
  limitMs: number;
}

/**
 * A device that has not completed a backup for twice its preferred interval (daily → 2 days,
 * weekly → 14 days) needs attention; one set to back up manually never does. A device that has
 * never backed up is measured from when it was paired.
 *
 * @example
 * backupWarning({ ...device, preferences: { frequency: 'daily', … }, lastBackupAt: threeDaysAgo }, Date.now())
 * // { kind: 'stale', since: threeDaysAgo, limitMs: 172800000 }
 */
export function backupWarning(device: HouseholdDevice, now: number): BackupWarning | null {
  const interval = INTERVAL_MS[device.preferences.frequency];
  if (interval === undefined) return null;
  const limitMs = 2 * interval;
  // `lastBackupAt` is when the last completed backup ended: a failed one since does not count.
  const since = device.lastBackupAt;
  const from = since ?? device.createdAt;
  if (now - Date.parse(from) < limitMs) return null;
  return { kind: since === null ? 'never' : 'stale', since, limitMs };
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * "just now", "5 minutes ago", "2 hours ago", "yesterday", "9 days ago", "3 months ago": how
 * long ago `at` was, rounded down to the largest whole unit.
 */
export function formatTimeAgo(at: string, now: number): string {
  const elapsed = Math.max(0, now - Date.parse(at));
  if (elapsed < MINUTE_MS) return 'just now';
  if (elapsed < HOUR_MS) return relative.format(-Math.floor(elapsed / MINUTE_MS), 'minute');
  if (elapsed < DAY_MS) return relative.format(-Math.floor(elapsed / HOUR_MS), 'hour');
  const days = Math.floor(elapsed / DAY_MS);
  if (days < 60) return relative.format(-days, 'day');
  if (days < 730) return relative.format(-Math.floor(days / 30), 'month');
  return relative.format(-Math.floor(days / 365), 'year');
}

/** A date and time for a title or a history line: "12 Mar 2025, 14:05". */
export function formatDateTime(at: string): string {
  return new Date(at).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

/** "2 days", "14 days": a warning limit in words. */
export function formatDays(ms: number): string {
  const days = Math.round(ms / DAY_MS);
  return `${days} ${days === 1 ? 'day' : 'days'}`;
}
