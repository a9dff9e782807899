import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  bearer,
  databaseTargets,
  login,
  pairPhone,
  setupOwner,
  startTestServer,
  type TestServer,
} from './helper.js';

/** Owner, admins and members: who may give which role, and who may manage whom. */
describe.each(databaseTargets)('household roles ($label)', (target) => {
  let server: TestServer;
  let owner: string;
  let ownerId: string;

  const call = (token: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    server.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: bearer(token),
      ...(payload ? { payload } : {}),
    });
  const refusal = async (response: Awaited<ReturnType<typeof call>>) => [
    response.statusCode,
    response.json().error?.code,
  ];
  const roleOf = async (id: string) =>
    ((await call(owner, 'GET', '/users')).json().data.users as Array<{ id: string; role: string }>).find(
      (user) => user.id === id,
    )?.role;

  beforeAll(async () => {
    server = await startTestServer(target, {}, { loginRateLimit: { max: 1000, timeWindowMs: 60_000 } });
    owner = await setupOwner(server.app);
    ownerId = (await call(owner, 'GET', '/auth/me')).json().data.user.id;
  });
  afterAll(() => server.close());

  it('the owner adds an admin, who holds the admin scope; a new user is a member by default', async () => {
    const created = await call(owner, 'POST', '/users', {
      username: 'anna',
      password: 'anna-password',
      role: 'admin',
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().data.user).toMatchObject({ username: 'anna', role: 'admin' });
    const anna = (await login(server.app, 'anna', 'anna-password')).json().data.token as string;
    expect((await call(anna, 'GET', '/auth/me')).json().data).toMatchObject({
      user: { role: 'admin' },
      scopes: ['media.upload', 'media.read', 'media.write', 'admin'],
    });
    expect((await call(anna, 'GET', '/users')).statusCode).toBe(200);

    const plain = await call(owner, 'POST', '/users', { username: 'plain', password: 'plain-password' });
    expect(plain.json().data.user.role).toBe('member');
    expect(
      await refusal(
        await call(owner, 'POST', '/users', { username: 'x1', password: 'x1-password', role: 'owner' }),
      ),
    ).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('only the owner makes and unmakes admins; the change holds from the next request, devices too', async () => {
    const ben = await addMember(server.app, owner, 'ben');
    const phone = await pairPhone(server.app, ben.token);
    expect((await call(ben.token, 'GET', '/users')).statusCode).toBe(403);

    const promoted = await call(owner, 'PATCH', `/users/${ben.id}`, { role: 'admin' });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json().data.user.role).toBe('admin');
    // The same session now reaches the household; a paired phone never had `admin`, and does not get it.
    expect((await call(ben.token, 'GET', '/users')).statusCode).toBe(200);
    expect((await call(phone.token, 'GET', '/auth/me')).json().data.scopes).not.toContain('admin');
    // As an admin, Ben may mint a token that carries `admin`…
    const minted = await call(ben.token, 'POST', '/devices', {
      name: 'admin script',
      platform: 'shortcuts',
      scopes: ['admin'],
    });
    expect(minted.statusCode).toBe(201);
    const adminToken = minted.json().data.token as string;
    expect((await call(adminToken, 'GET', '/users')).statusCode).toBe(200);

    // An admin cannot make or unmake admins, not even themselves.
    const cara = await addMember(server.app, owner, 'cara');
    expect(await refusal(await call(ben.token, 'PATCH', `/users/${cara.id}`, { role: 'admin' }))).toEqual([
      403,
      'OWNER_ONLY',
    ]);
    expect(await refusal(await call(ben.token, 'PATCH', `/users/${ben.id}`, { role: 'member' }))).toEqual([
      403,
      'OWNER_ONLY',
    ]);
    expect(
      await refusal(
        await call(ben.token, 'POST', '/users', { username: 'dan', password: 'dan-password', role: 'admin' }),
      ),
    ).toEqual([403, 'OWNER_ONLY']);
    expect(await roleOf(cara.id)).toBe('member');

    const demoted = await call(owner, 'PATCH', `/users/${ben.id}`, { role: 'member' });
    expect(demoted.json().data.user.role).toBe('member');
    expect(await refusal(await call(ben.token, 'GET', '/users'))).toEqual([403, 'SCOPE_REQUIRED']);
    // …which loses it with his role, while the paired phone goes on backing up.
    expect(await refusal(await call(adminToken, 'GET', '/users'))).toEqual([403, 'SCOPE_REQUIRED']);
    expect((await call(phone.token, 'GET', '/auth/me')).statusCode).toBe(200);
  });

  it("nobody changes the owner's role or removes the owner; nobody removes themselves", async () => {
    const admin = await addMember(server.app, owner, 'dora');
    await call(owner, 'PATCH', `/users/${admin.id}`, { role: 'admin' });

    expect(await refusal(await call(owner, 'PATCH', `/users/${ownerId}`, { role: 'member' }))).toEqual([
      409,
      'CANNOT_CHANGE_OWNER_ROLE',
    ]);
    expect(await refusal(await call(owner, 'PATCH', `/users/${ownerId}`, { role: 'admin' }))).toEqual([
      409,
      'CANNOT_CHANGE_OWNER_ROLE',
    ]);
    expect(await refusal(await call(admin.token, 'PATCH', `/users/${ownerId}`, { role: 'member' }))).toEqual([
      403,
      'OWNER_ONLY',
    ]);
    expect(await refusal(await call(owner, 'DELETE', `/users/${ownerId}`))).toEqual([
      409,
      'CANNOT_DELETE_OWNER',
    ]);
    expect(await refusal(await call(admin.token, 'DELETE', `/users/${ownerId}`))).toEqual([
      409,
      'CANNOT_DELETE_OWNER',
    ]);
    expect(await refusal(await call(admin.token, 'DELETE', `/users/${admin.id}`))).toEqual([
      409,
      'CANNOT_DELETE_SELF',
    ]);
    expect(await roleOf(ownerId)).toBe('owner');
    // The owner still edits their own name and password.
    const renamed = await call(owner, 'PATCH', `/users/${ownerId}`, { displayName: 'The Owner' });
    expect(renamed.json().data.user).toMatchObject({ displayName: 'The Owner', role: 'owner' });
  });

  it('an admin manages members (add, rename, reset, remove) but not the owner or another admin', async () => {
    const admin = await addMember(server.app, owner, 'erin');
    await call(owner, 'PATCH', `/users/${admin.id}`, { role: 'admin' });
    const otherAdmin = await addMember(server.app, owner, 'fred');
    await call(owner, 'PATCH', `/users/${otherAdmin.id}`, { role: 'admin' });

    const added = await call(admin.token, 'POST', '/users', { username: 'gus', password: 'gus-password' });
    expect(added.statusCode).toBe(201);
    const gusId = added.json().data.user.id as string;
    const gus = (await login(server.app, 'gus', 'gus-password')).json().data.token as string;
    const reset = await call(admin.token, 'PATCH', `/users/${gusId}`, {
      displayName: 'Gus',
      password: 'a new gus password',
    });
    expect(reset.json().data.user).toMatchObject({ displayName: 'Gus', role: 'member' });
    expect((await call(gus, 'GET', '/auth/me')).json().error.code).toBe('TOKEN_REVOKED');
    expect((await login(server.app, 'gus', 'a new gus password')).statusCode).toBe(200);
    // Their own name and password too.
    expect((await call(admin.token, 'PATCH', `/users/${admin.id}`, { displayName: 'Erin' })).statusCode).toBe(
      200,
    );

    for (const [method, id, payload] of [
      ['PATCH', ownerId, { password: 'taken over!' }],
      ['PATCH', ownerId, { displayName: 'Not the owner' }],
      ['PATCH', otherAdmin.id, { password: 'taken over!' }],
      ['DELETE', otherAdmin.id, undefined],
    ] as const) {
      expect(
        await refusal(await call(admin.token, method, `/users/${id}`, payload)),
        `${method} ${id}`,
      ).toEqual([403, 'OWNER_ONLY']);
    }
    expect((await call(owner, 'GET', '/auth/me')).statusCode).toBe(200);
    expect((await call(otherAdmin.token, 'GET', '/auth/me')).statusCode).toBe(200);

    expect((await call(admin.token, 'DELETE', `/users/${gusId}`)).statusCode).toBe(200);
    // The owner removes an admin.
    expect((await call(owner, 'DELETE', `/users/${otherAdmin.id}`)).statusCode).toBe(200);
    expect((await call(otherAdmin.token, 'GET', '/auth/me')).statusCode).toBe(401);
  });

  it('a member is refused every household and server route', async () => {
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
      expect(await refusal(await call(member.token, method, url, payload)), `${method} ${url}`).toEqual([
        403,
        'SCOPE_REQUIRED',
      ]);
    }
    expect(await roleOf(member.id)).toBe('member');
  });
});
