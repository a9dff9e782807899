import { randomUUID } from 'node:crypto';

import { sql } from 'kysely';
import { describe, expect } from 'vitest';

import {
  claimPairingSession,
  countOpenPairingSessions,
  createPairingSession,
  type Database,
  type Kysely,
  type PairingDevice,
  type PairingSession,
} from '../src/index.js';
import { databasesWithAlice } from './fixtures.js';
import { sha256Of } from './helper.js';

const T0 = new Date('2030-05-01T12:00:00.000Z');
const NOW = new Date(T0.getTime() + 60_000);

const phone = (): PairingDevice => ({
  name: 'iPhone',
  platform: 'ios',
  scopes: ['media.upload', 'media.read', 'media.write'],
  tokenId: randomUUID(),
});

async function openPairing(db: Kysely<Database>, userId: string) {
  const label = randomUUID();
  const codeHash = sha256Of(`code ${label}`);
  const secretHash = sha256Of(`secret ${label}`);
  const session = await createPairingSession(db, {
    userId,
    codeHash,
    secretHash,
    expiresAt: new Date(T0.getTime() + 600_000),
  });
  return { session, codeHash, secretHash };
}

async function stored(db: Kysely<Database>, id: string): Promise<PairingSession> {
  return db.selectFrom('pairing_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function devicesOf(db: Kysely<Database>, userId: string): Promise<string[]> {
  const rows = await db.selectFrom('devices').select('id').where('user_id', '=', userId).execute();
  return rows.map((row) => row.id);
}

/**
 * Polls from the pool, outside any transaction: a backend snapshots pg_stat_activity once per
 * transaction, so polling inside one would keep reading the first answer.
 *
 * Resolves once another backend of this PostgreSQL database is blocked on a lock while running
 * an UPDATE of pairing_sessions: proof that the second claim really met the first one's row lock.
 */
async function untilBlockedOnPairingLock(db: Kysely<Database>): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'
        and query like 'update "pairing_sessions"%'`.execute(db);
    if ((rows[0]?.waiting ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the second claim never waited for the first one');
}

describe.each(databasesWithAlice)('racing pairing claims on $label', ({ it, kind }) => {
  it.beforeEach(async ({ db }) => {
    await sql`truncate pairing_sessions, devices cascade`.execute(db);
  });

  it('lets exactly one of many simultaneous claims of the same pairing win', async ({ db, alice }) => {
    const pairing = await openPairing(db, alice.id);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        claimPairingSession(db, {
          ...(i % 2 === 0 ? { codeHash: pairing.codeHash } : { secretHash: pairing.secretHash }),
          now: NOW,
          device: phone(),
        }),
      ),
    );

    const winners = results.filter((result) => result !== undefined);
    expect(winners).toHaveLength(1);
    expect(await devicesOf(db, alice.id)).toEqual([winners[0]!.device.id]);
    expect(await stored(db, pairing.session.id)).toMatchObject({
      status: 'claimed',
      device_id: winners[0]!.device.id,
    });
  });

  it('makes the loser of an interleaved claim wait for the winner, then fail', async ({ db, alice }) => {
    const pairing = await openPairing(db, alice.id);
    const claim = (executor: Kysely<Database>) =>
      claimPairingSession(executor, {
        codeHash: pairing.codeHash,
        now: NOW,
        device: phone(),
      });

    // The winner's claim stays uncommitted while the loser runs. On PostgreSQL the loser's UPDATE
    // blocks on the row lock and re-checks the row after the commit; PGlite is one session, so
    // the loser queues behind the whole transaction.
    let loser: Promise<Awaited<ReturnType<typeof claim>>> | undefined;
    const winner = await db.transaction().execute(async (trx) => {
      const won = await claim(trx);
      loser = claim(db);
      if (kind === 'postgres') await untilBlockedOnPairingLock(db);
      else await new Promise((resolve) => setTimeout(resolve, 100));
      return won;
    });

    expect(winner?.session.status).toBe('claimed');
    expect(await loser).toBeUndefined();
    expect(await devicesOf(db, alice.id)).toEqual([winner!.device.id]);
    expect(await stored(db, pairing.session.id)).toEqual(winner?.session);
  });

  it('never lets pairings opened at the same moment pass the limit of open pairings together', async ({
    db,
    alice,
  }) => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () =>
        createPairingSession(db, {
          userId: alice.id,
          codeHash: sha256Of(`code ${randomUUID()}`),
          secretHash: sha256Of(`secret ${randomUUID()}`),
          expiresAt: new Date(T0.getTime() + 600_000),
          openLimit: { max: 3, now: NOW },
        }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
    for (const result of results.filter((result) => result.status === 'rejected')) {
      expect(result.reason).toMatchObject({ code: 'TOO_MANY_OPEN_PAIRINGS' });
    }
    expect(await countOpenPairingSessions(db, NOW)).toBe(3);
  });
});
