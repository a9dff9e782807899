import { describe, expect } from 'vitest';

import {
  findDeviceOverview,
  findHouseholdDevice,
  listDevices,
  recordSessionUpload,
  revokeDevice,
  startBackupSession,
  stopBackupSession,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertDevice, planWithoutSeqScan, recordQueries } from './helper.js';

const T0 = new Date('2030-06-01T08:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

// Alice is the household's owner, Bob a member.
describe.each(databasesWithAliceAndBob)('devices with how their backups are going, on $label', ({ it }) => {
  it('gives each device its latest ended session and whether one runs, in one query', async ({
    db,
    alice: owner,
    bob: member,
  }) => {
    const phone = await insertDevice(db, member.id, { name: 'phone', created_at: at(-3000) });
    const shortcut = await insertDevice(db, member.id, { name: 'shortcut', created_at: at(-2000) });
    const never = await insertDevice(db, owner.id, { name: 'never', created_at: at(-1000) });

    // The phone: one completed session, then a failed one, then one still running.
    const first = await startBackupSession(db, { userId: member.id, deviceId: phone.id, now: at(0) });
    await recordSessionUpload(db, {
      sessionId: first.id,
      userId: member.id,
      deviceId: phone.id,
      outcome: 'created',
      bytes: 5_000_000,
    });
    await stopBackupSession(db, { id: first.id, userId: member.id, deviceId: phone.id, now: at(90_000) });
    const failed = await startBackupSession(db, { userId: member.id, deviceId: phone.id, now: at(100_000) });
    await recordSessionUpload(db, {
      sessionId: failed.id,
      userId: member.id,
      deviceId: phone.id,
      outcome: 'failed',
      bytes: 0,
    });
    await stopBackupSession(db, {
      id: failed.id,
      userId: member.id,
      deviceId: phone.id,
      now: at(130_000),
      error: 'Wi-Fi lost',
    });
    await startBackupSession(db, { userId: member.id, deviceId: phone.id, now: at(200_000) });
    // The Shortcut: one completed session.
    const quick = await startBackupSession(db, { userId: member.id, deviceId: shortcut.id, now: at(10_000) });
    await stopBackupSession(db, { id: quick.id, userId: member.id, deviceId: shortcut.id, now: at(12_000) });

    const recorded = recordQueries(db);
    const listed = await listDevices(recorded.db, { userId: member.id });
    expect(recorded.queries).toHaveLength(1);
    expect(listed.map((device) => device.name)).toEqual(['shortcut', 'phone']);
    const [shortcutRow, phoneRow] = listed;
    expect(phoneRow).toMatchObject({
      id: phone.id,
      last_backup_at: at(90_000),
      running_backup: true,
      last_backup: {
        id: failed.id,
        status: 'failed',
        started_at: at(100_000),
        ended_at: at(130_000),
        files: 0,
        bytes: 0,
        duplicates: 0,
        failures: 1,
        error: 'Wi-Fi lost',
      },
    });
    expect(shortcutRow).toMatchObject({
      last_backup_at: at(12_000),
      running_backup: false,
      last_backup: { id: quick.id, status: 'completed', started_at: at(10_000), ended_at: at(12_000) },
    });

    expect(await findDeviceOverview(db, { id: phone.id })).toEqual(phoneRow);
    expect(await findDeviceOverview(db, { id: 'garbage' })).toBeUndefined();

    const household = await listDevices(db, { everyUser: true });
    expect(household.map((device) => device.id)).toEqual(
      expect.arrayContaining([phone.id, shortcut.id, never.id]),
    );
    expect(household.find((device) => device.id === never.id)).toMatchObject({
      user_id: owner.id,
      last_backup: null,
      running_backup: false,
    });

    // The sessions are found by index, not by reading every session of the household.
    const plan = await planWithoutSeqScan(db, recorded.queries[0]!);
    expect(plan).toMatch(
      /Index (Only )?Scan using backup_sessions_(device_started_idx|one_running_per_device)/,
    );
  });

  it('finds any active household device by id, for an admin', async ({ db, bob: member }) => {
    const device = await insertDevice(db, member.id);
    expect(await findHouseholdDevice(db, { id: device.id })).toEqual(device);
    expect(await findHouseholdDevice(db, { id: 'garbage' })).toBeUndefined();
    await revokeDevice(db, { id: device.id, userId: member.id, now: at(0) });
    expect(await findHouseholdDevice(db, { id: device.id })).toBeUndefined();
    // A revoked device is still shown where a pairing names it.
    expect(await findDeviceOverview(db, { id: device.id })).toMatchObject({
      id: device.id,
      last_backup: null,
    });
    expect(await listDevices(db, { everyUser: true })).not.toContainEqual(
      expect.objectContaining({ id: device.id }),
    );
  });
});
