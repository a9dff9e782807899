import { randomUUID } from 'node:crypto';

import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import {
  DbError,
  claimPairingSession,
  createPairingSession,
  expirePairingSessions,
  findPairingSession,
  revokeDevice,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { sha256Of } from './helper.js';

const T0 = new Date('2030-05-01T12:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const TTL = 10 * 60_000;

const hashes = () => {
  const label = randomUUID();
  return { codeHash: sha256Of(`code ${label}`), secretHash: sha256Of(`secret ${label}`) };
};

describe.each(databasesWithAliceAndBob)('pairing sessions on $label', ({ it }) => {
  it('opens a pending pairing that only its user finds', async ({ db, alice, bob }) => {
    const input = { userId: alice.id, ...hashes(), expiresAt: at(TTL) };
    const session = await createPairingSession(db, input);
    expect(session).toMatchObject({
      user_id: alice.id,
      code_hash: input.codeHash,
      secret_hash: input.secretHash,
      status: 'pending',
      attempts: 0,
      claimed_at: null,
      device_id: null,
    });
    expect(session.expires_at.getTime()).toBe(at(TTL).getTime());

    expect(await findPairingSession(db, { id: session.id, openedBy: alice.id })).toEqual({
      session,
      device: null,
    });
    expect(await findPairingSession(db, { id: session.id, openedBy: bob.id })).toBeUndefined();
    expect(await findPairingSession(db, { id: 'not-a-uuid', openedBy: alice.id })).toBeUndefined();
    expect(await findPairingSession(db, { id: session.id, openedBy: 'garbage' })).toBeUndefined();
    expect(await findPairingSession(db, { id: randomUUID(), openedBy: alice.id })).toBeUndefined();
  });

  it('refuses credentials whose hash is already stored with PAIRING_CODE_TAKEN', async ({
    db,
    alice,
    bob,
  }) => {
    const first = hashes();
    await createPairingSession(db, { userId: alice.id, ...first, expiresAt: at(TTL) });
    for (const clash of [
      { codeHash: first.codeHash, secretHash: hashes().secretHash },
      { codeHash: hashes().codeHash, secretHash: first.secretHash },
    ]) {
      const err = await createPairingSession(db, { userId: bob.id, ...clash, expiresAt: at(TTL) }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DbError);
      expect((err as DbError).code).toBe('PAIRING_CODE_TAKEN');
    }
  });

  it('shows the claimed device, even once it is revoked', async ({ db, alice, bob }) => {
    const credentials = hashes();
    const { id } = await createPairingSession(db, { userId: bob.id, ...credentials, expiresAt: at(TTL) });
    const claimed = await claimPairingSession(db, {
      secretHash: credentials.secretHash,
      now: at(1000),
      device: { name: 'iPhone', platform: 'ios', scopes: ['media.upload'], tokenId: randomUUID() },
    });
    expect(await findPairingSession(db, { id, openedBy: bob.id })).toEqual(claimed);
    expect(await findPairingSession(db, { id, openedBy: alice.id })).toBeUndefined();

    await revokeDevice(db, { id: claimed!.device.id, userId: bob.id, now: at(2000) });
    const found = await findPairingSession(db, { id, openedBy: bob.id });
    expect(found?.device?.id).toBe(claimed?.device.id);
    expect(found?.device?.revoked_at?.getTime()).toBe(at(2000).getTime());
  });

  it('opened by the owner for a member: the device is the member’s, the pairing only the owner’s to see', async ({
    db,
    alice,
    bob,
  }) => {
    const credentials = hashes();
    const session = await createPairingSession(db, {
      userId: bob.id,
      openedBy: alice.id,
      ...credentials,
      expiresAt: at(TTL),
    });
    expect(session).toMatchObject({ user_id: bob.id, opened_by: alice.id });
    expect(await findPairingSession(db, { id: session.id, openedBy: bob.id })).toBeUndefined();

    const claimed = await claimPairingSession(db, {
      codeHash: credentials.codeHash,
      now: at(1000),
      device: { name: 'Bob’s iPhone', platform: 'ios', scopes: ['media.upload'], tokenId: randomUUID() },
    });
    expect(claimed?.device.user_id).toBe(bob.id);
    expect(await findPairingSession(db, { id: session.id, openedBy: alice.id })).toEqual(claimed);
  });

  it('sweeps pending pairings past their expiry to expired, and nothing else', async ({ db, alice, bob }) => {
    await sql`truncate pairing_sessions`.execute(db);
    const sweepAt = at(TTL);
    const due = await createPairingSession(db, { userId: alice.id, ...hashes(), expiresAt: sweepAt });
    const overdue = await createPairingSession(db, { userId: bob.id, ...hashes(), expiresAt: at(1) });
    const open = await createPairingSession(db, { userId: alice.id, ...hashes(), expiresAt: at(TTL + 1) });
    const burned = await createPairingSession(db, { userId: alice.id, ...hashes(), expiresAt: at(1) });
    await db.updateTable('pairing_sessions').set({ status: 'burned' }).where('id', '=', burned.id).execute();

    expect(await expirePairingSessions(db, sweepAt)).toBe(2);
    const status = async (id: string) =>
      (
        await db
          .selectFrom('pairing_sessions')
          .select('status')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).status;
    expect(await status(due.id)).toBe('expired');
    expect(await status(overdue.id)).toBe('expired');
    expect(await status(open.id)).toBe('pending');
    expect(await status(burned.id)).toBe('burned');
    expect(await expirePairingSessions(db, sweepAt)).toBe(0);
  });
});
