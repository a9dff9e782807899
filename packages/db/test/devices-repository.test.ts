import { randomUUID } from 'node:crypto';

import { describe, expect } from 'vitest';

import {
  createDevice,
  findActiveDeviceForToken,
  findDevice,
  listDevices,
  revokeDevice,
  touchDevice,
  updateDevice,
  type Device,
  type NewDevice,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertDevice, insertUser, planWithoutSeqScan, recordQueries } from './helper.js';

const T0 = new Date('2030-05-01T12:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

describe.each(databasesWithAliceAndBob)('devices repository on $label', ({ it }) => {
  const newDevice = (userId: string, overrides: Partial<NewDevice> = {}): NewDevice => ({
    userId,
    name: 'Ada’s iPhone',
    platform: 'ios',
    scopes: ['media.upload', 'media.read', 'media.write'],
    tokenId: randomUUID(),
    ...overrides,
  });

  it('creates a device with default backup preferences and finds it', async ({ db, alice }) => {
    const input = newDevice(alice.id);
    const device = await createDevice(db, input);
    expect(device).toMatchObject({
      user_id: alice.id,
      name: 'Ada’s iPhone',
      platform: 'ios',
      scopes: ['media.upload', 'media.read', 'media.write'],
      token_id: input.tokenId,
      backup_frequency: 'weekly',
      backup_selection: 'new',
      delete_after_backup: false,
      last_seen_at: null,
      last_backup_at: null,
      revoked_at: null,
    });
    expect(device.created_at).toBeInstanceOf(Date);
    expect(await findDevice(db, { id: device.id, userId: alice.id })).toEqual(device);
  });

  it('lists a user’s active devices, newest first', async ({ db, bob }) => {
    const user = await insertUser(db);
    const older = await insertDevice(db, user.id, { name: 'old', created_at: at(-2000) });
    const newer = await insertDevice(db, user.id, { name: 'new', created_at: at(-1000) });
    const revoked = await insertDevice(db, user.id, { name: 'gone', created_at: at(0) });
    await revokeDevice(db, { id: revoked.id, userId: user.id, now: at(1) });
    await insertDevice(db, bob.id, { created_at: at(5) });

    expect((await listDevices(db, { userId: user.id })).map((device) => device.name)).toEqual(['new', 'old']);
    const idle = { last_backup: null, running_backup: false };
    expect(await listDevices(db, { userId: user.id })).toEqual([
      { ...newer, ...idle },
      { ...older, ...idle },
    ]);
    expect(await listDevices(db, { userId: 'not-a-uuid' })).toEqual([]);
  });

  it('finds the device a token names, with its user, only while that token is current', async ({
    db,
    alice,
    bob,
  }) => {
    const device = await createDevice(db, newDevice(alice.id));
    const claims = { id: device.id, userId: alice.id, tokenId: device.token_id };

    expect(await findActiveDeviceForToken(db, claims)).toEqual({ device, user: alice });
    expect(await findActiveDeviceForToken(db, { ...claims, tokenId: randomUUID() })).toBeUndefined();
    expect(await findActiveDeviceForToken(db, { ...claims, userId: bob.id })).toBeUndefined();
    expect(await findActiveDeviceForToken(db, { ...claims, id: randomUUID() })).toBeUndefined();
    for (const garbage of [{ id: 'x' }, { userId: 'x' }, { tokenId: "' or '1'='1" }]) {
      expect(await findActiveDeviceForToken(db, { ...claims, ...garbage })).toBeUndefined();
    }

    expect(await revokeDevice(db, { id: device.id, userId: alice.id, now: at(0) })).toBe(true);
    expect(await findActiveDeviceForToken(db, claims)).toBeUndefined();
  });

  it('looks a device token up in one query served by unique indexes', async ({ db, alice }) => {
    const device = await createDevice(db, newDevice(alice.id));
    const recorded = recordQueries(db);
    await findActiveDeviceForToken(recorded.db, {
      id: device.id,
      userId: alice.id,
      tokenId: device.token_id,
    });
    expect(recorded.queries).toHaveLength(1);

    const plan = await planWithoutSeqScan(db, recorded.queries[0]!);
    expect(plan).toMatch(/Index Scan using devices_(pkey|token_id_key)/);
    expect(plan).toContain('Index Scan using users_pkey');
  });

  it('renames a device and changes its backup preferences', async ({ db, alice }) => {
    const device = await createDevice(db, newDevice(alice.id));

    const renamed = await updateDevice(db, {
      id: device.id,
      userId: alice.id,
      changes: { name: 'Work phone' },
    });
    expect(renamed).toEqual({ ...device, name: 'Work phone' });

    const updated = await updateDevice(db, {
      id: device.id,
      userId: alice.id,
      changes: { backupFrequency: 'daily', backupSelection: 'all', deleteAfterBackup: true },
    });
    expect(updated).toEqual({
      ...device,
      name: 'Work phone',
      backup_frequency: 'daily',
      backup_selection: 'all',
      delete_after_backup: true,
    });
    expect(await updateDevice(db, { id: device.id, userId: alice.id, changes: {} })).toEqual(updated);
    expect(await findDevice(db, { id: device.id, userId: alice.id })).toEqual(updated);
  });

  it('revokes a device once, keeping the row for history', async ({ db, alice }) => {
    const device = await createDevice(db, newDevice(alice.id));

    expect(await revokeDevice(db, { id: device.id, userId: alice.id, now: at(1000) })).toBe(true);
    expect(await revokeDevice(db, { id: device.id, userId: alice.id, now: at(2000) })).toBe(false);
    expect(await findDevice(db, { id: device.id, userId: alice.id })).toBeUndefined();
    expect(
      await updateDevice(db, { id: device.id, userId: alice.id, changes: { name: 'back' } }),
    ).toBeUndefined();
    expect(await updateDevice(db, { id: device.id, userId: alice.id, changes: {} })).toBeUndefined();

    const row = await db
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', device.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ ...device, revoked_at: at(1000) });
  });

  it('never lets another user find, list, update or revoke a device', async ({ db, alice, bob }) => {
    const device = await createDevice(db, newDevice(alice.id));
    const asBob = { id: device.id, userId: bob.id };

    expect(await findDevice(db, asBob)).toBeUndefined();
    expect((await listDevices(db, { userId: bob.id })).map((d) => d.id)).not.toContain(device.id);
    expect(await updateDevice(db, { ...asBob, changes: { name: 'mine now' } })).toBeUndefined();
    expect(await updateDevice(db, { ...asBob, changes: {} })).toBeUndefined();
    expect(await revokeDevice(db, { ...asBob, now: at(0) })).toBe(false);
    expect(await findActiveDeviceForToken(db, { ...asBob, tokenId: device.token_id })).toBeUndefined();

    expect(await findDevice(db, { id: device.id, userId: alice.id })).toEqual(device);
  });

  it('treats malformed ids as not found', async ({ db, alice }) => {
    expect(await findDevice(db, { id: 'garbage', userId: alice.id })).toBeUndefined();
    expect(await findDevice(db, { id: randomUUID(), userId: 'garbage' })).toBeUndefined();
    expect(
      await updateDevice(db, { id: 'garbage', userId: alice.id, changes: { name: 'x' } }),
    ).toBeUndefined();
    expect(await revokeDevice(db, { id: 'garbage', userId: alice.id, now: at(0) })).toBe(false);
    expect(await touchDevice(db, { id: 'garbage', now: at(0) })).toBe(false);
  });

  it('writes last_seen_at at most once a minute, and never for a revoked device', async ({ db, alice }) => {
    const device = await createDevice(db, newDevice(alice.id));
    const lastSeen = async () =>
      (
        await db
          .selectFrom('devices')
          .select('last_seen_at')
          .where('id', '=', device.id)
          .executeTakeFirstOrThrow()
      ).last_seen_at?.getTime();

    expect(await touchDevice(db, { id: device.id, now: T0 })).toBe(true);
    expect(await lastSeen()).toBe(T0.getTime());
    expect(await touchDevice(db, { id: device.id, now: at(59_999) })).toBe(false);
    expect(await lastSeen()).toBe(T0.getTime());
    expect(await touchDevice(db, { id: device.id, now: at(60_000) })).toBe(true);
    expect(await lastSeen()).toBe(at(60_000).getTime());

    await revokeDevice(db, { id: device.id, userId: alice.id, now: at(61_000) });
    expect(await touchDevice(db, { id: device.id, now: at(200_000) })).toBe(false);
    expect(await lastSeen()).toBe(at(60_000).getTime());
  });

  it('refuses a device without scopes or with an unknown one', async ({ db, alice }) => {
    for (const scopes of [[], ['media.delete']] as unknown as Device['scopes'][]) {
      await expect(createDevice(db, newDevice(alice.id, { scopes }))).rejects.toMatchObject({
        code: '23514',
        constraint: 'devices_scopes_check',
      });
    }
  });
});
