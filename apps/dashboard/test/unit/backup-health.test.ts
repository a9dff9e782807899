import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  backupWarning,
  formatTimeAgo,
  platformLabel,
  type HouseholdDevice,
} from '../../src/lib/backup-health.js';
import { describeBackupResult } from '../../src/lib/backup-result.js';

const NOW = Date.parse('2025-06-20T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

function device(overrides: Partial<HouseholdDevice> & { frequency?: 'daily' | 'weekly' | 'manual' } = {}) {
  const { frequency = 'daily', ...rest } = overrides;
  return {
    id: '00000000-0000-4000-8000-000000000001',
    userId: '00000000-0000-4000-8000-0000000000aa',
    name: "Tom's iPhone",
    platform: 'ios',
    scopes: ['media.upload'],
    createdAt: ago(90 * DAY_MS),
    lastSeenAt: null,
    lastBackupAt: null,
    lastBackup: null,
    runningBackup: false,
    preferences: { frequency, selection: 'new', deleteAfterBackup: false },
    current: false,
    ...rest,
  } satisfies HouseholdDevice;
}

describe('backupWarning: twice the preferred interval without a completed backup', () => {
  it('warns a daily device after 2 days, not before', () => {
    expect(backupWarning(device({ lastBackupAt: ago(2 * DAY_MS - 60_000) }), NOW)).toBeNull();
    expect(backupWarning(device({ lastBackupAt: ago(2 * DAY_MS) }), NOW)).toEqual({
      kind: 'stale',
      since: ago(2 * DAY_MS),
      limitMs: 2 * DAY_MS,
    });
  });

  it('warns a weekly device after 14 days, not after 13', () => {
    expect(backupWarning(device({ frequency: 'weekly', lastBackupAt: ago(13 * DAY_MS) }), NOW)).toBeNull();
    expect(backupWarning(device({ frequency: 'weekly', lastBackupAt: ago(14 * DAY_MS) }), NOW)?.kind).toBe(
      'stale',
    );
  });

  it('never warns about a device set to back up manually', () => {
    expect(backupWarning(device({ frequency: 'manual', lastBackupAt: ago(400 * DAY_MS) }), NOW)).toBeNull();
    expect(backupWarning(device({ frequency: 'manual', lastBackupAt: null }), NOW)).toBeNull();
  });

  it('measures a device that never backed up from when it was paired', () => {
    expect(backupWarning(device({ createdAt: ago(DAY_MS) }), NOW)).toBeNull();
    expect(backupWarning(device({ createdAt: ago(3 * DAY_MS) }), NOW)).toEqual({
      kind: 'never',
      since: null,
      limitMs: 2 * DAY_MS,
    });
  });

  it('counts only completed backups: a recent failure does not hide an old success', () => {
    const failed = {
      id: 's1',
      status: 'failed' as const,
      startedAt: ago(DAY_MS / 2),
      endedAt: ago(DAY_MS / 2 - 1000),
      files: 0,
      bytes: 0,
      duplicates: 0,
      failures: 3,
      error: 'disk full',
    };
    const stale = device({ lastBackupAt: ago(5 * DAY_MS), lastBackup: failed });
    expect(backupWarning(stale, NOW)).toEqual({ kind: 'stale', since: ago(5 * DAY_MS), limitMs: 2 * DAY_MS });
    const never = device({ createdAt: ago(3 * DAY_MS), lastBackup: failed });
    expect(backupWarning(never, NOW)?.kind).toBe('never');
  });
});

describe('words', () => {
  it('says how long ago, in the largest whole unit', () => {
    expect(formatTimeAgo(ago(10_000), NOW)).toBe('just now');
    expect(formatTimeAgo(ago(5 * 60_000), NOW)).toBe('5 minutes ago');
    expect(formatTimeAgo(ago(2 * 3_600_000 + 59 * 60_000), NOW)).toBe('2 hours ago');
    expect(formatTimeAgo(ago(DAY_MS + 1000), NOW)).toBe('yesterday');
    expect(formatTimeAgo(ago(9 * DAY_MS), NOW)).toBe('9 days ago');
    expect(formatTimeAgo(ago(95 * DAY_MS), NOW)).toBe('3 months ago');
  });

  it('names platforms as people know them', () => {
    expect(platformLabel('ios')).toBe('iPhone app');
    expect(platformLabel('shortcuts')).toBe('Shortcut');
    expect(platformLabel('cli')).toBe('command line');
    expect(platformLabel('web')).toBe('web');
  });

  it('describes what a backup did', () => {
    expect(describeBackupResult({ files: 12, bytes: 34_200_000, duplicates: 3, failures: 1 })).toBe(
      '12 new files (34.2 MB), 3 already backed up, 1 failed',
    );
    expect(describeBackupResult({ files: 1, bytes: 900, duplicates: 0, failures: 0 })).toBe(
      '1 new file (900 B)',
    );
    expect(describeBackupResult({ files: 0, bytes: 0, duplicates: 0, failures: 0 })).toBe('Nothing new');
  });
});
