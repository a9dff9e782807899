import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { hashPassword } from '../src/services/accounts/passwords.js';
import {
  addMember,
  bearer,
  databaseTargets,
  filesUnder,
  login,
  OWNER,
  pngBytes,
  setupOwner,
} from './helper.js';
import { serverTest } from './server-test.js';

let seed = 100;

describe.each(databaseTargets)('each user writes into a library folder of their own ($label)', (target) => {
  /** Signed up by the first test, once setup has refused a bad name. */
  let ownerToken: string;
  const it = serverTest(target, { owner: false })
    .extend('library', ({ server }) => server.config.libraryDir)
    .extend('uploadedPath', ({ server }) => async (token: string) => {
      const response = await server.app.inject({
        method: 'POST',
        url: `/api/v1/media/upload?filename=IMG_${seed}.PNG&createdAt=2024-07-14T16:03:12.000Z`,
        headers: { ...bearer(token), 'content-type': 'image/png' },
        payload: pngBytes(seed++),
      });
      expect(response.statusCode, response.body).toBe(201);
      const row = await server.database.db
        .selectFrom('media')
        .select('rel_path')
        .where('id', '=', response.json().data.id)
        .executeTakeFirstOrThrow();
      return row.rel_path;
    })
    .extend(
      'createMember',
      ({ api }) =>
        (username: string) =>
          api('POST', '/users', { username, password: 'a member password' }, ownerToken),
    );

  it('setup refuses an owner name that cannot be a folder of its own, with 400 naming the field', async ({
    server,
  }) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/setup',
      payload: { ...OWNER, username: '..' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'INVALID_USERNAME',
      details: [{ field: 'body/username', message: 'must start and end with a letter or digit' }],
    });
    ownerToken = await setupOwner(server.app);
  });

  it('refuses `..`, `.`, `.carol`, `carol.`, `.tmp` and device names with a clear 400, creating nobody', async ({
    server,
    createMember,
  }) => {
    const refused: Record<string, string> = {
      '..': 'must start and end with a letter or digit',
      '.': 'must start and end with a letter or digit',
      '.carol': 'must start and end with a letter or digit',
      'carol.': 'must start and end with a letter or digit',
      '.tmp': 'must start and end with a letter or digit',
      _carol: 'must start and end with a letter or digit',
      con: 'is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM1-9, LPT1-9)',
      'NUL.txt': 'is a name Windows keeps for a device (CON, PRN, AUX, NUL, COM1-9, LPT1-9)',
    };
    for (const [username, why] of Object.entries(refused)) {
      const response = await createMember(username);
      expect(response.statusCode, username).toBe(400);
      expect(response.json().error, username).toEqual({
        code: 'INVALID_USERNAME',
        message: `The username ${why}`,
        details: [{ field: 'body/username', message: why }],
      });
    }
    const users = await server.app.inject({ url: '/api/v1/users', headers: bearer(ownerToken) });
    expect(users.json().data.users.map((u: { username: string }) => u.username)).toEqual(['owner']);
  });

  it('carol writes into carol/, and Carol cannot be made beside her', async ({
    server,
    uploadedPath,
    createMember,
  }) => {
    const created = await createMember('carol');
    expect(created.json().data.user).toMatchObject({ username: 'carol', libraryFolder: 'carol' });
    const carol = (await login(server.app, 'carol', 'a member password')).json().data.token;
    expect(await uploadedPath(carol)).toMatch(/^carol\/2024\/07\/IMG_\d+\.PNG$/);
    expect((await createMember('Carol')).json().error.code).toBe('USERNAME_TAKEN');
  });

  it('a user from before the rules keeps writing into the folder their uploads went to; a newcomer gets another', async ({
    server,
    uploadedPath,
    createMember,
  }) => {
    // What the migration leaves for an older install's `.dave`, whose uploads went to dave/.
    await server.database.db
      .insertInto('users')
      .values({
        username: '.dave',
        library_folder: 'dave',
        password_hash: await hashPassword('a member password'),
        role: 'member',
      })
      .execute();
    const oldDave = (await login(server.app, '.dave', 'a member password')).json().data.token;
    expect(await uploadedPath(oldDave)).toMatch(/^dave\/2024\/07\//);

    const created = await createMember('Dave');
    expect(created.json().data.user).toMatchObject({ username: 'Dave', libraryFolder: 'Dave-2' });
    const newDave = (await login(server.app, 'Dave', 'a member password')).json().data.token;
    expect(await uploadedPath(newDave)).toMatch(/^Dave-2\/2024\/07\//);
    expect(await uploadedPath(oldDave)).toMatch(/^dave\/2024\/07\//);
  });

  it("a removed member's folder, left on the disk, is not handed to the next member of that name", async ({
    server,
    library,
    uploadedPath,
    createMember,
  }) => {
    const erin = await addMember(server.app, ownerToken, 'erin');
    expect(await uploadedPath(erin.token)).toMatch(/^erin\//);
    await server.app.inject({
      method: 'DELETE',
      url: `/api/v1/users/${erin.id}`,
      headers: bearer(ownerToken),
    });

    const created = await createMember('ERIN');
    expect(created.json().data.user).toMatchObject({ username: 'ERIN', libraryFolder: 'ERIN-2' });
    const newErin = (await login(server.app, 'ERIN', 'a member password')).json().data.token;
    expect(await uploadedPath(newErin)).toMatch(/^ERIN-2\//);
    expect(await filesUnder(join(library, 'erin'))).toHaveLength(1);
  });

  it("nobody ever wrote into the library's own .tmp or a folder outside a user's", async ({ library }) => {
    expect((await readdir(library)).sort()).toEqual(
      ['.tmp', 'ERIN-2', 'Dave-2', 'carol', 'dave', 'erin'].sort(),
    );
  });
});
