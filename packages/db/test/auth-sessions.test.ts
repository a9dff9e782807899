import { describe, expect } from 'vitest';

import {
  createAuthSession,
  findActiveAuthSession,
  revokeAuthSession,
  revokeUserAuthSessions,
  touchAuthSession,
} from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertUser } from './helper.js';

const T0 = new Date('2030-05-01T12:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;

describe.each(databasesWithAliceAndBob)('auth sessions on $label', ({ it }) => {
  it('finds an active session together with its user', async ({ db, alice }) => {
    const session = await createAuthSession(db, {
      userId: alice.id,
      expiresAt: at(HOUR),
      userAgent: 'Safari',
      ip: '192.168.1.20',
    });
    expect(session).toMatchObject({
      user_id: alice.id,
      user_agent: 'Safari',
      ip: '192.168.1.20',
      revoked_at: null,
    });
    expect(session.expires_at.getTime()).toBe(at(HOUR).getTime());

    const found = await findActiveAuthSession(db, { id: session.id, userId: alice.id, now: T0 });
    expect(found?.session).toEqual(session);
    expect(found?.user).toEqual(alice);
  });

  it('does not find a session once it has expired', async ({ db, alice }) => {
    const session = await createAuthSession(db, { userId: alice.id, expiresAt: at(HOUR) });
    expect(
      await findActiveAuthSession(db, { id: session.id, userId: alice.id, now: at(HOUR - 1) }),
    ).toBeDefined();
    expect(
      await findActiveAuthSession(db, { id: session.id, userId: alice.id, now: at(HOUR) }),
    ).toBeUndefined();
    expect(
      await findActiveAuthSession(db, { id: session.id, userId: alice.id, now: at(2 * HOUR) }),
    ).toBeUndefined();
  });

  it('does not find a session named with another user', async ({ db, alice, bob }) => {
    const session = await createAuthSession(db, { userId: alice.id, expiresAt: at(HOUR) });
    expect(await findActiveAuthSession(db, { id: session.id, userId: bob.id, now: T0 })).toBeUndefined();
  });

  it('treats malformed ids as not found', async ({ db, alice }) => {
    expect(await findActiveAuthSession(db, { id: 'garbage', userId: alice.id, now: T0 })).toBeUndefined();
    expect(await findActiveAuthSession(db, { id: alice.id, userId: 'garbage', now: T0 })).toBeUndefined();
    expect(await revokeAuthSession(db, { id: 'garbage', userId: alice.id, now: T0 })).toBe(false);
    expect(await touchAuthSession(db, { id: 'garbage', now: T0 })).toBe(false);
  });

  it('revokes a session only for its own user, once', async ({ db, alice, bob }) => {
    const session = await createAuthSession(db, { userId: alice.id, expiresAt: at(HOUR) });

    expect(await revokeAuthSession(db, { id: session.id, userId: bob.id, now: T0 })).toBe(false);
    expect(await findActiveAuthSession(db, { id: session.id, userId: alice.id, now: T0 })).toBeDefined();

    expect(await revokeAuthSession(db, { id: session.id, userId: alice.id, now: at(1000) })).toBe(true);
    expect(
      await findActiveAuthSession(db, { id: session.id, userId: alice.id, now: at(2000) }),
    ).toBeUndefined();
    expect(await revokeAuthSession(db, { id: session.id, userId: alice.id, now: at(3000) })).toBe(false);

    const row = await db
      .selectFrom('auth_sessions')
      .select('revoked_at')
      .where('id', '=', session.id)
      .executeTakeFirst();
    expect(row?.revoked_at?.getTime()).toBe(at(1000).getTime());
  });

  it('writes last_seen_at at most once a minute', async ({ db, alice }) => {
    const session = await createAuthSession(db, { userId: alice.id, expiresAt: at(HOUR) });
    const lastSeen = async () =>
      (
        await db
          .selectFrom('auth_sessions')
          .select('last_seen_at')
          .where('id', '=', session.id)
          .executeTakeFirst()
      )?.last_seen_at?.getTime();

    expect(await lastSeen()).toBeUndefined();
    expect(await touchAuthSession(db, { id: session.id, now: T0 })).toBe(true);
    expect(await lastSeen()).toBe(T0.getTime());

    expect(await touchAuthSession(db, { id: session.id, now: at(30_000) })).toBe(false);
    expect(await touchAuthSession(db, { id: session.id, now: at(59_999) })).toBe(false);
    expect(await lastSeen()).toBe(T0.getTime());

    expect(await touchAuthSession(db, { id: session.id, now: at(60_000) })).toBe(true);
    expect(await lastSeen()).toBe(at(60_000).getTime());
    expect(await touchAuthSession(db, { id: session.id, now: at(61_000) })).toBe(false);
  });

  it('revokes every live session of a user but the one named, for a password change', async ({ db, bob }) => {
    const carol = await insertUser(db, { username: 'carol' });
    const current = await createAuthSession(db, { userId: carol.id, expiresAt: at(HOUR) });
    const laptop = await createAuthSession(db, { userId: carol.id, expiresAt: at(HOUR) });
    const phone = await createAuthSession(db, { userId: carol.id, expiresAt: at(HOUR) });
    const loggedOut = await createAuthSession(db, { userId: carol.id, expiresAt: at(HOUR) });
    await revokeAuthSession(db, { id: loggedOut.id, userId: carol.id, now: at(-1000) });
    const expired = await createAuthSession(db, { userId: carol.id, expiresAt: at(-1) });
    const bobs = await createAuthSession(db, { userId: bob.id, expiresAt: at(HOUR) });
    const revokedAt = async (id: string) =>
      (
        await db
          .selectFrom('auth_sessions')
          .select('revoked_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).revoked_at?.getTime();

    expect(await revokeUserAuthSessions(db, { userId: carol.id, now: T0, exceptSessionId: current.id })).toBe(
      2,
    );
    expect(await findActiveAuthSession(db, { id: current.id, userId: carol.id, now: T0 })).toBeDefined();
    expect(await revokedAt(laptop.id)).toBe(T0.getTime());
    expect(await revokedAt(phone.id)).toBe(T0.getTime());
    expect(await revokedAt(loggedOut.id)).toBe(at(-1000).getTime());
    expect(await revokedAt(expired.id)).toBeUndefined();
    expect(await findActiveAuthSession(db, { id: bobs.id, userId: bob.id, now: T0 })).toBeDefined();

    // Without an exception (or with one that names no session) the caller's own goes too.
    expect(
      await revokeUserAuthSessions(db, { userId: carol.id, now: at(1), exceptSessionId: 'garbage' }),
    ).toBe(1);
    expect(await findActiveAuthSession(db, { id: current.id, userId: carol.id, now: at(2) })).toBeUndefined();
    expect(await revokeUserAuthSessions(db, { userId: carol.id, now: at(3) })).toBe(0);
    expect(await revokeUserAuthSessions(db, { userId: 'garbage', now: at(3) })).toBe(0);
  });
});
