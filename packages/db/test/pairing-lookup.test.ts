import { randomUUID } from 'node:crypto';

import { describe, expect } from 'vitest';

import {
  claimPairingSession,
  createPairingSession,
  findPairingByCredential,
  type Database,
  type Kysely,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { sha256Of } from './helper.js';

const T0 = new Date('2030-05-01T12:00:00.000Z');

async function openPairing(db: Kysely<Database>, userId: string, openedBy: string) {
  const label = randomUUID();
  const codeHash = sha256Of(`code ${label}`);
  const secretHash = sha256Of(`secret ${label}`);
  const session = await createPairingSession(db, {
    userId,
    openedBy,
    codeHash,
    secretHash,
    expiresAt: new Date(T0.getTime() + 600_000),
  });
  return { session, codeHash, secretHash };
}

describe.each(databasesWithAliceAndBob)('finding a pairing by its code or secret on $label', ({ it }) => {
  it('names the pairing and the member its device will belong to, by either hash', async ({
    db,
    alice,
    bob,
  }) => {
    await db.updateTable('users').set({ display_name: 'Bob B.' }).where('id', '=', bob.id).execute();
    const pairing = await openPairing(db, bob.id, alice.id);
    for (const credential of [{ codeHash: pairing.codeHash }, { secretHash: pairing.secretHash }]) {
      const found = await findPairingByCredential(db, credential);
      expect(found?.session.id).toBe(pairing.session.id);
      expect(found?.session.status).toBe('pending');
      expect(found?.user).toEqual({ id: bob.id, username: 'bob', displayName: 'Bob B.' });
    }
  });

  it('finds nothing for an unknown hash, nor for a code hash given as a secret hash', async ({
    db,
    alice,
  }) => {
    const pairing = await openPairing(db, alice.id, alice.id);
    expect(await findPairingByCredential(db, { codeHash: sha256Of('nobody') })).toBeUndefined();
    expect(await findPairingByCredential(db, { secretHash: pairing.codeHash })).toBeUndefined();
    expect(await findPairingByCredential(db, { codeHash: pairing.secretHash })).toBeUndefined();
  });

  it('returns a claimed pairing with its stored status, and changes nothing by looking', async ({
    db,
    alice,
  }) => {
    const pairing = await openPairing(db, alice.id, alice.id);
    const before = await findPairingByCredential(db, { secretHash: pairing.secretHash });
    expect(before?.session).toEqual(pairing.session);
    const claimed = await claimPairingSession(db, {
      secretHash: pairing.secretHash,
      now: T0,
      device: { name: 'Web', platform: 'web', scopes: ['media.read'], tokenId: randomUUID() },
    });
    expect(claimed).toBeDefined();
    const after = await findPairingByCredential(db, { secretHash: pairing.secretHash });
    expect(after?.session.status).toBe('claimed');
    expect(after?.session.device_id).toBe(claimed!.device.id);
  });

  it('needs exactly one of the two hashes', async ({ db }) => {
    await expect(findPairingByCredential(db, {} as never)).rejects.toThrow(TypeError);
    await expect(
      findPairingByCredential(db, { codeHash: sha256Of('a'), secretHash: sha256Of('b') } as never),
    ).rejects.toThrow(TypeError);
  });
});
