import { describe, expect } from 'vitest';
import { addMember, bearer, databaseTargets, pairPhone } from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('scopes are enforced per route ($label)', (target) => {
  /** A Shortcuts token the owner makes, with these scopes (the default ones when not given). */
  const it = serverTest(target).extend('shortcutToken', ({ server, owner }) => async (scopes?: string[]) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: bearer(owner),
      payload: { name: 'Shortcut', platform: 'shortcuts', ...(scopes ? { scopes } : {}) },
    });
    return response.json().data.token as string;
  });

  it('admin routes need the admin scope: 403 SCOPE_REQUIRED for members, phones and Shortcuts', async ({
    server,
    owner,
    shortcutToken,
  }) => {
    const member = await addMember(server.app, owner, 'member-a');
    const phone = await pairPhone(server.app, owner);
    for (const token of [member.token, phone.token, await shortcutToken()]) {
      const response = await server.app.inject({ url: '/api/v1/users', headers: bearer(token) });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('SCOPE_REQUIRED');
    }
    expect((await server.app.inject({ url: '/api/v1/users', headers: bearer(owner) })).statusCode).toBe(200);
  });

  it('an owner-made Shortcut token may carry admin; a member cannot grant what they lack', async ({
    server,
    owner,
    shortcutToken,
  }) => {
    const adminShortcut = await shortcutToken(['admin']);
    expect(
      (await server.app.inject({ url: '/api/v1/users', headers: bearer(adminShortcut) })).statusCode,
    ).toBe(200);
    const member = await addMember(server.app, owner, 'member-b');
    const grant = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: bearer(member.token),
      payload: { name: 'sneaky', platform: 'shortcuts', scopes: ['admin'] },
    });
    expect(grant.statusCode).toBe(403);
    expect(grant.json().error.code).toBe('SCOPE_REQUIRED');
  });

  it('unknown scopes are refused at the door', async ({ server, owner }) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: bearer(owner),
      payload: { name: 'x', platform: 'shortcuts', scopes: ['root'] },
    });
    expect(response.statusCode).toBe(400);
  });
});
