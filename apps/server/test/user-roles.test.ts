import type { LightMyRequestResponse } from 'fastify';
import { describe, expect } from 'vitest';
import { addMember, databaseTargets, login, pairPhone } from './helper.js';
import { serverTest } from './server-test.js';

/** Owner, admins and members: who may give which role, and who may manage whom. */
describe.each(databaseTargets)('household roles ($label)', (target) => {
  let ownerId: string;

  const refusal = async (response: LightMyRequestResponse) => [
    response.statusCode,
    response.json().error?.code,
  ];

  const it = serverTest(target, {
    options: { loginRateLimit: { max: 1000, timeWindowMs: 60_000 } },
    async seed({ api }) {
      ownerId = (await api('GET', '/auth/me')).json().data.user.id;
    },
  }).extend(
    'roleOf',
    ({ api }) =>
      async (id: string) =>
        ((await api('GET', '/users')).json().data.users as Array<{ id: string; role: string }>).find(
          (user) => user.id === id,
        )?.role,
  );

  it('the owner adds an admin, who holds the admin scope; a new user is a member by default', async ({
    server,
    api,
  }) => {
    const created = await api('POST', '/users', {
      username: 'anna',
      password: 'anna-password',
      role: 'admin',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().data.user).toMatchObject({ username: 'anna', role: 'admin' });
    const anna = (await login(server.app, 'anna', 'anna-password')).json().data.token as string;
    expect((await api('GET', '/auth/me', undefined, anna)).json().data).toMatchObject({
      user: { role: 'admin' },
      scopes: ['media.upload', 'media.read', 'media.write', 'admin'],
    });
    expect((await api('GET', '/users', undefined, anna)).statusCode).toBe(200);

    const plain = await api('POST', '/users', { username: 'plain', password: 'plain-password' });
    expect(plain.json().data.user.role).toBe('member');
    expect(
      await refusal(await api('POST', '/users', { username: 'x1', password: 'x1-password', role: 'owner' })),
    ).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('only the owner makes and unmakes admins; the change holds from the next request, devices too', async ({
    server,
    owner,
    api,
    roleOf,
  }) => {
    const ben = await addMember(server.app, owner, 'ben');
    const phone = await pairPhone(server.app, ben.token);
    expect((await api('GET', '/users', undefined, ben.token)).statusCode).toBe(403);

    const promoted = await api('PATCH', `/users/${ben.id}`, { role: 'admin' });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json().data.user.role).toBe('admin');
    // The same session now reaches the household; a paired phone never had `admin`, and does not get it.
    expect((await api('GET', '/users', undefined, ben.token)).statusCode).toBe(200);
    expect((await api('GET', '/auth/me', undefined, phone.token)).json().data.scopes).not.toContain('admin');
    // As an admin, Ben may mint a token that carries `admin`…
    const minted = await api(
      'POST',
      '/devices',
      { name: 'admin script', platform: 'shortcuts', scopes: ['admin'] },
      ben.token,
    );
    expect(minted.statusCode).toBe(201);
    const adminToken = minted.json().data.token as string;
    expect((await api('GET', '/users', undefined, adminToken)).statusCode).toBe(200);

    // An admin cannot make or unmake admins, not even themselves.
    const cara = await addMember(server.app, owner, 'cara');
    expect(await refusal(await api('PATCH', `/users/${cara.id}`, { role: 'admin' }, ben.token))).toEqual([
      403,
      'OWNER_ONLY',
    ]);
    expect(await refusal(await api('PATCH', `/users/${ben.id}`, { role: 'member' }, ben.token))).toEqual([
      403,
      'OWNER_ONLY',
    ]);
    expect(
      await refusal(
        await api('POST', '/users', { username: 'dan', password: 'dan-password', role: 'admin' }, ben.token),
      ),
    ).toEqual([403, 'OWNER_ONLY']);
    expect(await roleOf(cara.id)).toBe('member');

    const demoted = await api('PATCH', `/users/${ben.id}`, { role: 'member' });
    expect(demoted.json().data.user.role).toBe('member');
    expect(await refusal(await api('GET', '/users', undefined, ben.token))).toEqual([403, 'SCOPE_REQUIRED']);
    // …which loses it with his role, while the paired phone goes on backing up.
    expect(await refusal(await api('GET', '/users', undefined, adminToken))).toEqual([403, 'SCOPE_REQUIRED']);
    expect((await api('GET', '/auth/me', undefined, phone.token)).statusCode).toBe(200);
  });

  it("nobody changes the owner's role or removes the owner; nobody removes themselves", async ({
    server,
    owner,
    api,
    roleOf,
  }) => {
    const admin = await addMember(server.app, owner, 'dora');
    await api('PATCH', `/users/${admin.id}`, { role: 'admin' });

    expect(await refusal(await api('PATCH', `/users/${ownerId}`, { role: 'member' }))).toEqual([
      409,
      'CANNOT_CHANGE_OWNER_ROLE',
    ]);
    expect(await refusal(await api('PATCH', `/users/${ownerId}`, { role: 'admin' }))).toEqual([
      409,
      'CANNOT_CHANGE_OWNER_ROLE',
    ]);
    expect(await refusal(await api('PATCH', `/users/${ownerId}`, { role: 'member' }, admin.token))).toEqual([
      403,
      'OWNER_ONLY',
    ]);
    expect(await refusal(await api('DELETE', `/users/${ownerId}`))).toEqual([409, 'CANNOT_DELETE_OWNER']);
    expect(await refusal(await api('DELETE', `/users/${ownerId}`, undefined, admin.token))).toEqual([
      409,
      'CANNOT_DELETE_OWNER',
    ]);
    expect(await refusal(await api('DELETE', `/users/${admin.id}`, undefined, admin.token))).toEqual([
      409,
      'CANNOT_DELETE_SELF',
    ]);
    expect(await roleOf(ownerId)).toBe('owner');
    // The owner still edits their own name and password.
    const renamed = await api('PATCH', `/users/${ownerId}`, { displayName: 'The Owner' });
    expect(renamed.json().data.user).toMatchObject({ displayName: 'The Owner', role: 'owner' });
  });

  it('an admin manages members (add, rename, reset, remove) but not the owner or another admin', async ({
    server,
    owner,
    api,
  }) => {
    const admin = await addMember(server.app, owner, 'erin');
    await api('PATCH', `/users/${admin.id}`, { role: 'admin' });
    const otherAdmin = await addMember(server.app, owner, 'fred');
    await api('PATCH', `/users/${otherAdmin.id}`, { role: 'admin' });

    const added = await api('POST', '/users', { username: 'gus', password: 'gus-password' }, admin.token);
    expect(added.statusCode).toBe(201);
    const gusId = added.json().data.user.id as string;
    const gus = (await login(server.app, 'gus', 'gus-password')).json().data.token as string;
    const reset = await api(
      'PATCH',
      `/users/${gusId}`,
      { displayName: 'Gus', password: 'a new gus password' },
      admin.token,
    );
    expect(reset.json().data.user).toMatchObject({ displayName: 'Gus', role: 'member' });
    expect((await api('GET', '/auth/me', undefined, gus)).json().error.code).toBe('TOKEN_REVOKED');
    expect((await login(server.app, 'gus', 'a new gus password')).statusCode).toBe(200);
    // Their own name and password too.
    expect((await api('PATCH', `/users/${admin.id}`, { displayName: 'Erin' }, admin.token)).statusCode).toBe(
      200,
    );

    for (const [method, id, payload] of [
      ['PATCH', ownerId, { password: 'taken over!' }],
      ['PATCH', ownerId, { displayName: 'Not the owner' }],
      ['PATCH', otherAdmin.id, { password: 'taken over!' }],
      ['DELETE', otherAdmin.id, undefined],
    ] as const) {
      expect(
        await refusal(await api(method, `/users/${id}`, payload, admin.token)),
        `${method} ${id}`,
      ).toEqual([403, 'OWNER_ONLY']);
    }
    expect((await api('GET', '/auth/me')).statusCode).toBe(200);
    expect((await api('GET', '/auth/me', undefined, otherAdmin.token)).statusCode).toBe(200);

    expect((await api('DELETE', `/users/${gusId}`, undefined, admin.token)).statusCode).toBe(200);
    // The owner removes an admin.
    expect((await api('DELETE', `/users/${otherAdmin.id}`)).statusCode).toBe(200);
    expect((await api('GET', '/auth/me', undefined, otherAdmin.token)).statusCode).toBe(401);
  });

  it('a member is refused every household and server route', async ({ server, owner, api, roleOf }) => {
    const member = await addMember(server.app, owner, 'hugo');
    const operations = [
      ['GET', '/users', undefined],
      ['POST', '/users', { username: 'ivy', password: 'ivy-password' }],
      ['PATCH', `/users/${member.id}`, { role: 'admin' }],
      ['PATCH', `/users/${member.id}`, { displayName: 'Hugo' }],
      ['DELETE', `/users/${ownerId}`, undefined],
      ['POST', '/system/jobs/retry', undefined],
      ['POST', '/system/cleanup', undefined],
    ] as const;
    for (const [method, url, payload] of operations) {
      expect(await refusal(await api(method, url, payload, member.token)), `${method} ${url}`).toEqual([
        403,
        'SCOPE_REQUIRED',
      ]);
    }
    expect(await roleOf(member.id)).toBe('member');
  });
});
