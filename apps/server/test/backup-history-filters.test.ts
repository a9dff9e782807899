import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { addMember, bearer, databaseTargets, pairPhone } from './helper.js';
import { serverTest, type Member } from './server-test.js';

interface Session {
  id: string;
  deviceId: string;
}

describe.each(databaseTargets)('backup history by device and by user ($label)', (target) => {
  let owner: Member;
  let kid: Member;
  let phones: Record<'owner' | 'kidA' | 'kidB', { token: string; deviceId: string }>;
  const sessions: Record<string, string[]> = { owner: [], kidA: [], kidB: [] };

  const it = serverTest(target, {
    async seed({ server, owner: ownerToken }) {
      const me = await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(ownerToken) });
      owner = { id: me.json().data.user.id, token: ownerToken };
      kid = await addMember(server.app, ownerToken, 'kid');
      phones = {
        owner: await pairPhone(server.app, owner.token, 'Owner phone'),
        kidA: await pairPhone(server.app, kid.token, 'Kid phone'),
        kidB: await pairPhone(server.app, kid.token, 'Kid iPad'),
      };
      // Three sessions each, one minute apart: newest last.
      for (let round = 0; round < 3; round++) {
        for (const name of ['owner', 'kidA', 'kidB'] as const) {
          const headers = bearer(phones[name].token);
          const started = await server.app.inject({
            method: 'POST',
            url: '/api/v1/backup/start',
            headers,
            payload: {},
          });
          const id = started.json().data.session.id as string;
          server.clock.advance(20_000);
          await server.app.inject({
            method: 'POST',
            url: '/api/v1/backup/stop',
            headers,
            payload: { sessionId: id },
          });
          sessions[name]!.push(id);
        }
      }
    },
  })
    .extend(
      'history',
      ({ server }) =>
        async (token: string, query: Record<string, string> = {}) =>
          server.app.inject({
            url: `/api/v1/backup/history?${new URLSearchParams(query)}`,
            headers: bearer(token),
          }),
    )
    /** Every page, following nextCursor with the same filters. */
    .extend(
      'allPages',
      ({ history }) =>
        async (token: string, query: Record<string, string>): Promise<Session[]> => {
          const seen: Session[] = [];
          let cursor: string | null = null;
          for (let page = 0; page < 20; page++) {
            const response = await history(token, { ...query, limit: '2', ...(cursor ? { cursor } : {}) });
            expect(response.statusCode, response.body).toBe(200);
            seen.push(...response.json().data.sessions);
            cursor = response.json().data.nextCursor;
            if (!cursor) break;
          }
          return seen;
        },
    );

  const newestFirst = (...names: string[]) =>
    names
      .flatMap((name) => sessions[name]!.map((id, round) => ({ id, round, name })))
      .sort(
        (a, b) =>
          b.round - a.round ||
          ['owner', 'kidA', 'kidB'].indexOf(b.name) - ['owner', 'kidA', 'kidB'].indexOf(a.name),
      )
      .map((s) => s.id);

  it('a member sees their own sessions, or one of their devices’, page by page', async ({ allPages }) => {
    expect((await allPages(kid.token, {})).map((s) => s.id)).toEqual(newestFirst('kidA', 'kidB'));
    const ofB = await allPages(kid.token, { device: phones.kidB.deviceId });
    expect(ofB.map((s) => s.id)).toEqual(newestFirst('kidB'));
    expect(new Set(ofB.map((s) => s.deviceId))).toEqual(new Set([phones.kidB.deviceId]));
  });

  it('an owner sees a member’s, everyone’s, or any device’s', async ({ history, allPages }) => {
    expect((await allPages(owner.token, { user: kid.id })).map((s) => s.id)).toEqual(
      newestFirst('kidA', 'kidB'),
    );
    expect((await allPages(owner.token, { user: 'all' })).map((s) => s.id)).toEqual(
      newestFirst('owner', 'kidA', 'kidB'),
    );
    expect((await allPages(owner.token, { device: phones.kidA.deviceId })).map((s) => s.id)).toEqual(
      newestFirst('kidA'),
    );
    expect(
      (await allPages(owner.token, { user: kid.id, device: phones.kidA.deviceId })).map((s) => s.id),
    ).toEqual(newestFirst('kidA'));
    // The owner's own device under the kid's name: nothing of the kid's is on it.
    expect(await allPages(owner.token, { user: kid.id, device: phones.owner.deviceId })).toEqual([]);
    expect((await allPages(owner.token, {})).map((s) => s.id)).toEqual(newestFirst('owner'));

    const unknownUser = await history(owner.token, { user: randomUUID() });
    expect(unknownUser.statusCode).toBe(404);
    const unknownDevice = await history(owner.token, { device: randomUUID() });
    expect(unknownDevice.statusCode).toBe(404);
    expect((await history(owner.token, { device: 'phone' })).statusCode).toBe(400);
  });

  it('a member cannot ask for another user, everyone, or another user’s device', async ({ history }) => {
    for (const user of [owner.id, 'all']) {
      const refused = await history(kid.token, { user });
      expect(refused.statusCode, user).toBe(403);
      expect(refused.json().error.code).toBe('FORBIDDEN');
    }
    const othersDevice = await history(kid.token, { device: phones.owner.deviceId });
    expect(othersDevice.statusCode).toBe(404);
    expect(othersDevice.json().error.code).toBe('NOT_FOUND');
  });

  it('a device token sees only its own sessions, whatever it asks', async ({ history, allPages }) => {
    const phone = phones.kidA;
    expect((await allPages(phone.token, {})).map((s) => s.id)).toEqual(newestFirst('kidA'));
    expect((await allPages(phone.token, { device: phone.deviceId })).map((s) => s.id)).toEqual(
      newestFirst('kidA'),
    );
    expect((await history(phone.token, { device: phones.kidB.deviceId })).statusCode).toBe(404);
    expect((await history(phone.token, { user: owner.id })).statusCode).toBe(403);
    expect((await history(phone.token, { user: 'all' })).statusCode).toBe(403);
    expect((await allPages(phone.token, { user: kid.id })).map((s) => s.id)).toEqual(newestFirst('kidA'));
  });
});
