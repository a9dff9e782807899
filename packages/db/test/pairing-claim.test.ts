import { randomUUID } from 'node:crypto';

import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import {
  claimPairingSession,
  countOpenPairingSessions,
  createPairingSession,
  findDevice,
  findPairingSession,
  type Kysely,
  type Database,
  type PairingDevice,
  type PairingSession,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { sha256Of } from './helper.js';

const T0 = new Date('2030-05-01T12:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const TTL = 10 * 60_000;

const phone = (): PairingDevice => ({
  name: 'Ada’s iPhone',
  platform: 'ios',
  scopes: ['media.upload', 'media.read', 'media.write'],
  tokenId: randomUUID(),
});

interface OpenPairing {
  session: PairingSession;
  codeHash: string;
  secretHash: string;
}

async function openPairing(db: Kysely<Database>, userId: string, expiresAt = at(TTL)): Promise<OpenPairing> {
  const label = randomUUID();
  const codeHash = sha256Of(`code ${label}`);
  const secretHash = sha256Of(`secret ${label}`);
  const session = await createPairingSession(db, { userId, codeHash, secretHash, expiresAt });
  return { session, codeHash, secretHash };
}

async function stored(db: Kysely<Database>, id: string): Promise<PairingSession> {
  return db.selectFrom('pairing_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function deviceCount(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('devices')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return row.count;
}

describe.each(databasesWithAliceAndBob)('claiming a pairing on $label', ({ it }) => {
  it.beforeEach(async ({ db }) => {
    await sql`truncate pairing_sessions, devices cascade`.execute(db);
  });

  const wrongGuess = (db: Kysely<Database>, now = at(60_000)) =>
    claimPairingSession(db, {
      codeHash: sha256Of(`wrong ${randomUUID()}`),
      now,
      device: phone(),
    });

  it('claims by code and creates the device for the user who opened the pairing', async ({ db, bob }) => {
    const pairing = await openPairing(db, bob.id);
    const device = phone();

    const claimed = await claimPairingSession(db, {
      codeHash: pairing.codeHash,
      now: at(60_000),
      device,
    });

    expect(claimed?.device).toMatchObject({
      user_id: bob.id,
      name: 'Ada’s iPhone',
      platform: 'ios',
      scopes: ['media.upload', 'media.read', 'media.write'],
      token_id: device.tokenId,
      revoked_at: null,
    });
    expect(claimed?.session).toMatchObject({
      id: pairing.session.id,
      user_id: bob.id,
      status: 'claimed',
      attempts: 0,
      device_id: claimed?.device.id,
    });
    expect(claimed?.session.claimed_at?.getTime()).toBe(at(60_000).getTime());
    expect(await stored(db, pairing.session.id)).toEqual(claimed?.session);
    expect(await findDevice(db, { id: claimed!.device.id, userId: bob.id })).toEqual(claimed?.device);
    expect(await findPairingSession(db, { id: pairing.session.id, openedBy: bob.id })).toEqual(claimed);
  });

  it('claims by secret', async ({ db, alice }) => {
    const pairing = await openPairing(db, alice.id);
    const claimed = await claimPairingSession(db, {
      secretHash: pairing.secretHash,
      now: at(TTL - 1),
      device: { ...phone(), name: 'Upload Shortcut', platform: 'shortcuts', scopes: ['media.upload'] },
    });
    expect(claimed?.session.status).toBe('claimed');
    expect(claimed?.device).toMatchObject({
      user_id: alice.id,
      platform: 'shortcuts',
      scopes: ['media.upload'],
    });
  });

  it('does not take a code hash for a secret hash or the other way round', async ({ db, alice }) => {
    const pairing = await openPairing(db, alice.id);
    const common = { now: at(1000), device: phone() };
    expect(await claimPairingSession(db, { ...common, codeHash: pairing.secretHash })).toBeUndefined();
    expect(await claimPairingSession(db, { ...common, secretHash: pairing.codeHash })).toBeUndefined();
    expect(await stored(db, pairing.session.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('refuses an expired pairing from its expiry instant on', async ({ db, alice }) => {
    const pairing = await openPairing(db, alice.id);
    for (const now of [at(TTL), at(TTL + 1), at(2 * TTL)]) {
      expect(
        await claimPairingSession(db, {
          codeHash: pairing.codeHash,
          now,
          device: phone(),
        }),
      ).toBeUndefined();
    }
    expect(await stored(db, pairing.session.id)).toMatchObject({ status: 'pending', device_id: null });
    expect(await deviceCount(db)).toBe(0);
  });

  it('lets the right code in after any number of wrong ones: a wrong code names no pairing', async ({
    db,
    alice,
  }) => {
    const pairing = await openPairing(db, alice.id);
    for (let guess = 0; guess < 20; guess++) expect(await wrongGuess(db)).toBeUndefined();
    expect(await stored(db, pairing.session.id)).toMatchObject({ status: 'pending', attempts: 0 });
    const claimed = await claimPairingSession(db, {
      codeHash: pairing.codeHash,
      now: at(120_000),
      device: phone(),
    });
    expect(claimed?.session).toMatchObject({ status: 'claimed', attempts: 0 });
  });

  it('refuses a replayed code or secret once the pairing is claimed', async ({ db, alice }) => {
    const pairing = await openPairing(db, alice.id);
    const first = await claimPairingSession(db, {
      codeHash: pairing.codeHash,
      now: at(1000),
      device: phone(),
    });
    expect(first).toBeDefined();

    const common = { now: at(2000), device: phone() };
    expect(await claimPairingSession(db, { ...common, codeHash: pairing.codeHash })).toBeUndefined();
    expect(await claimPairingSession(db, { ...common, secretHash: pairing.secretHash })).toBeUndefined();
    expect(await stored(db, pairing.session.id)).toEqual(first?.session);
    expect(await deviceCount(db)).toBe(1);
  });

  it('leaves every pairing, open or closed, as it was after a wrong code or a replay', async ({
    db,
    alice,
    bob,
  }) => {
    const now = at(60_000);
    const alicePending = await openPairing(db, alice.id);
    const bobPending = await openPairing(db, bob.id);
    const claimed = await openPairing(db, alice.id);
    await claimPairingSession(db, {
      codeHash: claimed.codeHash,
      now,
      device: phone(),
    });
    const expiredUnswept = await openPairing(db, bob.id, now);
    const expired = await openPairing(db, bob.id, at(-1));
    await db
      .updateTable('pairing_sessions')
      .set({ status: 'expired' })
      .where('id', '=', expired.session.id)
      .execute();
    const burned = await openPairing(db, alice.id);
    await db
      .updateTable('pairing_sessions')
      .set({ status: 'burned', attempts: 2 })
      .where('id', '=', burned.session.id)
      .execute();

    expect(
      await claimPairingSession(db, {
        codeHash: claimed.codeHash,
        now,
        device: phone(),
      }),
    ).toBeUndefined();
    expect(await wrongGuess(db, now)).toBeUndefined();

    expect(await stored(db, alicePending.session.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await stored(db, bobPending.session.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await stored(db, claimed.session.id)).toMatchObject({ status: 'claimed', attempts: 0 });
    expect(await stored(db, expiredUnswept.session.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await stored(db, expired.session.id)).toMatchObject({ status: 'expired', attempts: 0 });
    expect(await stored(db, burned.session.id)).toMatchObject({ status: 'burned', attempts: 2 });
  });

  it('leaves the pairing open when the device cannot be created', async ({ db, alice }) => {
    const pairing = await openPairing(db, alice.id);
    await expect(
      claimPairingSession(db, {
        codeHash: pairing.codeHash,
        now: at(1000),
        device: { ...phone(), scopes: [] },
      }),
    ).rejects.toMatchObject({ code: '23514', constraint: 'devices_scopes_check' });
    expect(await stored(db, pairing.session.id)).toMatchObject({
      status: 'pending',
      attempts: 0,
      claimed_at: null,
      device_id: null,
    });
    expect(await deviceCount(db)).toBe(0);

    const retried = await claimPairingSession(db, {
      codeHash: pairing.codeHash,
      now: at(2000),
      device: phone(),
    });
    expect(retried?.session.status).toBe('claimed');
  });

  it('needs exactly one of the code hash and the secret hash', async ({ db, alice }) => {
    const pairing = await openPairing(db, alice.id);
    const common = { now: at(1000), device: phone() };
    await expect(
      claimPairingSession(db, {
        ...common,
        codeHash: pairing.codeHash,
        secretHash: pairing.secretHash,
      } as never),
    ).rejects.toBeInstanceOf(TypeError);
    await expect(claimPairingSession(db, common as never)).rejects.toBeInstanceOf(TypeError);
    expect(await stored(db, pairing.session.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('refuses to open more than the limit of pairings open at once, counting only open ones', async ({
    db,
    alice,
    bob,
  }) => {
    const now = at(0);
    const open = (userId: string) =>
      createPairingSession(db, {
        userId,
        codeHash: sha256Of(`code ${randomUUID()}`),
        secretHash: sha256Of(`secret ${randomUUID()}`),
        expiresAt: at(TTL),
        openLimit: { max: 3, now },
      });
    const claimed = await openPairing(db, bob.id);
    await claimPairingSession(db, { codeHash: claimed.codeHash, now, device: phone() });
    await openPairing(db, bob.id, now);
    await open(alice.id);
    await open(bob.id);
    await open(alice.id);
    expect(await countOpenPairingSessions(db, now)).toBe(3);
    await expect(open(bob.id)).rejects.toMatchObject({ name: 'DbError', code: 'TOO_MANY_OPEN_PAIRINGS' });
    expect(await countOpenPairingSessions(db, now)).toBe(3);
  });
});
