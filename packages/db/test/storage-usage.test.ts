import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';

import { existingMediaIds, libraryBytes, libraryUsage, type Media, type User } from '../src/index.js';
import { databasesWithAliceAndBob } from './fixtures.js';
import { insertDevice, insertMedia, insertUser, recordQueries } from './helper.js';

describe.each(databasesWithAliceAndBob)('storage usage on $label', ({ it }) => {
  let carol: User;
  let phone: string;
  let tablet: string;
  let media: Media[];

  it.beforeAll(async ({ db, alice, bob }) => {
    carol = await insertUser(db, { username: 'carol' });
    phone = (await insertDevice(db, alice.id, { name: 'Alice iPhone' })).id;
    tablet = (await insertDevice(db, alice.id, { name: 'Alice iPad' })).id;
    const bobPhone = (await insertDevice(db, bob.id, { name: 'Bob iPhone' })).id;
    media = [
      await insertMedia(db, alice.id, { size: 1000, device_id: phone }),
      await insertMedia(db, alice.id, {
        size: 2000,
        device_id: phone,
        media_type: 'video',
        mime: 'video/quicktime',
      }),
      await insertMedia(db, alice.id, { size: 300, device_id: tablet }),
      await insertMedia(db, alice.id, { size: 40, device_id: null }),
      await insertMedia(db, alice.id, { size: 5_000_000_000, device_id: phone, trashed_at: new Date() }),
      await insertMedia(db, bob.id, { size: 70_000, device_id: bobPhone }),
      await insertMedia(db, bob.id, { size: 8, device_id: bobPhone, trashed_at: new Date() }),
    ];
  });

  it('sums the household by type, user and device, the trash apart, in one aggregate', async ({
    database,
    alice,
    bob,
  }) => {
    const { db, queries } = recordQueries(database.db);
    const usage = await libraryUsage(db, {});
    expect(usage.library).toEqual({ items: 5, bytes: 1000 + 2000 + 300 + 40 + 70_000 });
    expect(usage.trash).toEqual({ items: 2, bytes: 5_000_000_008 });
    expect(usage.byType).toEqual([
      { type: 'photo', items: 4, bytes: 1000 + 300 + 40 + 70_000 },
      { type: 'video', items: 1, bytes: 2000 },
    ]);
    expect(usage.byUser).toEqual([
      { userId: bob.id, username: 'bob', items: 1, bytes: 70_000 },
      { userId: alice.id, username: 'alice', items: 4, bytes: 3340 },
      { userId: carol.id, username: 'carol', items: 0, bytes: 0 },
    ]);
    expect(usage.byDevice).toEqual([
      { deviceId: expect.any(String), deviceName: 'Bob iPhone', userId: bob.id, items: 1, bytes: 70_000 },
      { deviceId: phone, deviceName: 'Alice iPhone', userId: alice.id, items: 2, bytes: 3000 },
      { deviceId: tablet, deviceName: 'Alice iPad', userId: alice.id, items: 1, bytes: 300 },
      { deviceId: null, deviceName: null, userId: alice.id, items: 1, bytes: 40 },
    ]);
    // One scan for the figures, one for the user names.
    expect(queries).toHaveLength(2);
  });

  it('narrows to one user’s library', async ({ db, bob }) => {
    const usage = await libraryUsage(db, { userId: bob.id });
    expect(usage).toEqual({
      library: { items: 1, bytes: 70_000 },
      trash: { items: 1, bytes: 8 },
      byType: [{ type: 'photo', items: 1, bytes: 70_000 }],
      byUser: [{ userId: bob.id, username: 'bob', items: 1, bytes: 70_000 }],
      byDevice: [
        { deviceId: expect.any(String), deviceName: 'Bob iPhone', userId: bob.id, items: 1, bytes: 70_000 },
      ],
    });
    const empty = await libraryUsage(db, { userId: carol.id });
    expect(empty.library).toEqual({ items: 0, bytes: 0 });
    expect(empty.byUser).toEqual([{ userId: carol.id, username: 'carol', items: 0, bytes: 0 }]);
    expect((await libraryUsage(db, { userId: 'nope' })).byUser).toEqual([]);
  });

  it('totals every original on disk, trash included, for the household or one user', async ({ db, bob }) => {
    expect(await libraryBytes(db, {})).toEqual({
      items: 7,
      bytes: media.reduce((sum, item) => sum + item.size, 0),
    });
    expect(await libraryBytes(db, { userId: bob.id })).toEqual({ items: 2, bytes: 70_008 });
    expect(await libraryBytes(db, { userId: carol.id })).toEqual({ items: 0, bytes: 0 });
  });

  it('tells which ids still have a row, trashed or not', async ({ db }) => {
    const unknown = randomUUID();
    const found = await existingMediaIds(db, [media[0]!.id, media[4]!.id, unknown, 'bad']);
    expect(found).toEqual(new Set([media[0]!.id, media[4]!.id]));
    expect(await existingMediaIds(db, [])).toEqual(new Set());
  });
});
