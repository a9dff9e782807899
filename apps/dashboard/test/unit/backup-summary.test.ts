import { describe, expect, it } from 'vitest';
import { DAY_MS, type HouseholdDevice } from '../../src/lib/backup-health.js';
import { summarizeBackups } from '../../src/lib/backup-summary.js';

const NOW = Date.parse('2025-06-20T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
let serial = 0;

function device(
  name: string,
  lastBackupAt: string | null,
  options: Partial<HouseholdDevice> = {},
): HouseholdDevice {
  serial += 1;
  return {
    id: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    userId: '00000000-0000-4000-8000-0000000000aa',
    name,
    platform: 'ios',
    scopes: ['media.upload'],
    createdAt: ago(60 * DAY_MS),
    lastSeenAt: null,
    lastBackupAt,
    lastBackup: null,
    runningBackup: false,
    preferences: { frequency: 'daily', selection: 'new', deleteAfterBackup: false },
    current: false,
    ...options,
  };
}

describe('summarizeBackups', () => {
  it('is nothing at all without devices', () => {
    expect(summarizeBackups([], NOW)).toBeUndefined();
  });

  it('counts the recent backups and names the overdue device with how long ago', () => {
    const devices = [
      device("Anna's iPhone", ago(3_600_000)),
      device("Ben's iPhone", ago(5 * 3_600_000)),
      device('Kitchen Shortcut', ago(20 * 3_600_000), { platform: 'shortcuts' }),
      device("Tom's iPhone", ago(9 * DAY_MS)),
    ];
    expect(summarizeBackups(devices, NOW)).toEqual({
      text: "3 phones backed up in the last day; Tom's iPhone: 9 days ago",
      attention: true,
    });
  });

  it('says all when all backed up, and singular for one', () => {
    expect(summarizeBackups([device('A', ago(1000)), device('B', ago(2000))], NOW)).toEqual({
      text: 'All 2 phones backed up in the last day',
      attention: false,
    });
    expect(summarizeBackups([device('A', ago(1000))], NOW)?.text).toBe('1 phone backed up in the last day');
  });

  it('says when none backed up lately, names the worst first and sums up the rest', () => {
    const devices = [
      device('Weekly', ago(3 * DAY_MS), {
        preferences: { frequency: 'weekly', selection: 'new', deleteAfterBackup: false },
      }),
      device('Old', ago(5 * DAY_MS)),
      device('Older', ago(30 * DAY_MS)),
      device('Never', null),
      device('Laptop', ago(40 * DAY_MS), { platform: 'cli' }),
    ];
    expect(summarizeBackups(devices, NOW)).toEqual({
      text: 'No device backed up in the last day; Never: never backed up; Laptop: 40 days ago; 2 more not backed up lately',
      attention: true,
    });
  });

  it('leaves manual devices out of the warnings', () => {
    const manual = device('Manual', ago(100 * DAY_MS), {
      preferences: { frequency: 'manual', selection: 'new', deleteAfterBackup: false },
    });
    expect(summarizeBackups([device('A', ago(1000)), manual], NOW)).toEqual({
      text: '1 phone backed up in the last day',
      attention: false,
    });
  });
});
