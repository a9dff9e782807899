import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  bearer,
  databaseTargets,
  pairPhone,
  setupOwner,
  startTestServer,
  type TestServer,
} from './helper.js';

describe.each(databaseTargets)('scopes are enforced per route ($label)', (target) => {
  let server: TestServer;
  let ownerToken: string;
  beforeAll(async () => {
    server = await startTestServer(target);
    ownerToken = await setupOwner(server.app);
  });
  afterAll(() => server.close());

  async function shortcutToken(scopes?: string[]) {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: bearer(ownerToken),
      payload: { name: 'Shortcut', platform: 'shortcuts', ...(scopes ? { scopes } : {}) },
    });
    return response.json().data.token as string;
  }

  it('admin routes need the admin scope: 403 SCOPE_REQUIRED for members, phones and Shortcuts', async () => {
    const member = await addMember(server.app, ownerToken, 'member-a');
    const phone = await pairPhone(server.app, ownerToken);
    for (const token of [member.token, phone.token, await shortcutToken()]) {
      const response = await server.app.inject({ url: '/api/v1/users', headers: bearer(token) });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('SCOPE_REQUIRED');
    }
    expect((await server.app.inject({ url: '/api/v1/users', headers: bearer(ownerToken) })).statusCode).toBe(
      200,
    );
  });

  it('an owner-made Shortcut token may carry admin; a member cannot grant what they lack', async () => {
    const adminShortcut = await shortcutToken(['admin']);
    expect(
      (await server.app.inject({ url: '/api/v1/users', headers: bearer(adminShortcut) })).statusCode,
    ).toBe(200);
    const member = await addMember(server.app, ownerToken, 'member-b');
    const grant = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: bearer(member.token),
      payload: { name: 'sneaky', platform: 'shortcuts', scopes: ['admin'] },
    });
    expect(grant.statusCode).toBe(403);
    expect(grant.json().error.code).toBe('SCOPE_REQUIRED');
  });

  it('unknown scopes are refused at the door', async () => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: bearer(ownerToken),
      payload: { name: 'x', platform: 'shortcuts', scopes: ['root'] },
    });
    expect(response.statusCode).toBe(400);
  });
});
