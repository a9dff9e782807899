import { describe, expect } from 'vitest';
import {
  addMember,
  bearer,
  databaseTargets,
  filesUnder,
  login,
  OWNER,
  pairPhone,
  pngBytes,
  uploadRaw,
} from './helper.js';
import { serverTest } from './server-test.js';

describe.each(databaseTargets)('household users ($label)', (target) => {
  const it = serverTest(target);

  it('the owner adds members, who sign in with their own scopes', async ({ server, owner }) => {
    const member = await addMember(server.app, owner, 'grandma');
    const me = await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(member.token) });
    expect(me.json().data).toMatchObject({
      user: { username: 'grandma', role: 'member' },
      scopes: ['media.upload', 'media.read', 'media.write'],
    });
    const list = await server.app.inject({ url: '/api/v1/users', headers: bearer(owner) });
    expect(list.json().data.users.map((u: { username: string }) => u.username)).toEqual(['owner', 'grandma']);
  });

  it('refuses a taken username (any case) with 409 USERNAME_TAKEN', async ({ server, owner }) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(owner),
      payload: { username: 'OWNER', password: 'some password' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('USERNAME_TAKEN');
  });

  it('a new password signs the member out everywhere, and the new one works', async ({ server, owner }) => {
    const member = await addMember(server.app, owner, 'uncle');
    const patched = await server.app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${member.id}`,
      headers: bearer(owner),
      payload: { password: 'a brand new password', displayName: 'Uncle Bob' },
    });
    expect(patched.json().data.user.displayName).toBe('Uncle Bob');
    expect(
      (await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(member.token) })).json().error.code,
    ).toBe('TOKEN_REVOKED');
    expect((await login(server.app, 'uncle', 'a brand new password')).statusCode).toBe(200);
    expect((await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(owner) })).statusCode).toBe(
      200,
    );
  });

  it('removing a member stops their sessions and devices at once; the owner cannot be removed', async ({
    server,
    owner,
  }) => {
    const member = await addMember(server.app, owner, 'visitor');
    const phone = await pairPhone(server.app, member.token);
    const removed = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${member.id}`,
      headers: bearer(owner),
    });
    expect(removed.statusCode).toBe(200);
    for (const token of [member.token, phone.token]) {
      expect((await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode).toBe(
        401,
      );
    }
    const ownerId = (await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(owner) })).json().data
      .user.id;
    const self = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${ownerId}`,
      headers: bearer(owner),
    });
    expect(self.statusCode).toBe(409);
    expect(self.json().error.code).toBe('CANNOT_DELETE_OWNER');
    const missing = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${member.id}`,
      headers: bearer(owner),
    });
    expect(missing.statusCode).toBe(404);
    expect((await login(server.app, OWNER.username, OWNER.password)).statusCode).toBe(200);
  });

  it('says what went with a removed member; their original files stay in their folder', async ({
    server,
    owner,
  }) => {
    const member = await addMember(server.app, owner, 'leaver');
    const phone = await pairPhone(server.app, member.token);
    const laptop = (await login(server.app, 'leaver', 'leaver-password')).json().data.token as string;
    const pictures = [pngBytes(11), pngBytes(12, 16), pngBytes(13, 12)];
    const ids: string[] = [];
    for (const [i, bytes] of pictures.entries())
      ids.push(await uploadRaw(server.app, phone.token, `IMG_${i}.png`, bytes));
    const call = (method: 'POST' | 'DELETE', url: string, payload?: object) =>
      server.app.inject({ method, url, headers: bearer(member.token), ...(payload ? { payload } : {}) });
    expect((await call('DELETE', `/api/v1/media/${ids[0]}`)).statusCode).toBe(200);
    expect((await call('POST', '/api/v1/albums', { name: 'Trip' })).statusCode).toBe(201);
    const before = await filesUnder(server.config.libraryDir);
    expect(before.filter((file) => file.startsWith('leaver/'))).toHaveLength(3);

    const removed = await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${member.id}`,
      headers: bearer(owner),
    });
    expect(removed.statusCode).toBe(200);
    expect(removed.json().data).toEqual({
      deleted: true,
      id: member.id,
      libraryFolder: 'leaver',
      removedDevices: 1,
      endedSessions: 2,
      removedItems: 3,
      removedBytes: pictures.reduce((sum, bytes) => sum + bytes.length, 0),
      removedTrashItems: 1,
      removedAlbums: 1,
    });
    expect(removed.json().message).toContain('"leaver"');
    for (const token of [member.token, laptop, phone.token]) {
      expect((await server.app.inject({ url: '/api/v1/auth/me', headers: bearer(token) })).statusCode).toBe(
        401,
      );
    }
    // The disk is untouched, and a new "leaver" gets a folder of their own.
    expect(await filesUnder(server.config.libraryDir)).toEqual(before);
    const again = await addMember(server.app, owner, 'leaver');
    const list = (await server.app.inject({ url: '/api/v1/users', headers: bearer(owner) })).json().data
      .users;
    expect(list.find((user: { id: string }) => user.id === again.id).libraryFolder).toBe('leaver-2');
  });
});
