import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thumbnailPath } from '@iclood/storage';
import { buildJpeg } from '../../../packages/media/test/fixtures/build-photos.js';
import { buildMovie } from '../../../packages/media/test/fixtures/build-quicktime.js';
import {
  bearer,
  databaseTargets,
  pairPhone,
  pngBytes,
  setupOwner,
  startTestServer,
  type TestServer,
} from './helper.js';
import { freshServerTest, serverTest, type Phone } from './server-test.js';

const GiB = 1024 ** 3;
const run = promisify(execFile);

/** Size of every file under `dir` by its path relative to it (what `du --apparent-size` adds up). */
async function sizesUnder(dir: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    sizes.set(relative(dir, path), (await stat(path)).size);
  }
  return sizes;
}

const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

describe.each(databaseTargets)('storage report ($label)', (target) => {
  let ownerId: string;
  let memberPhone: Phone;
  /** Library path of each upload, and who sent it. */
  const uploads: Array<{
    id: string;
    relPath: string;
    userId: string;
    deviceId: string | null;
    video: boolean;
  }> = [];
  let trashedPath: string;
  let thumbnailBytes = 0;

  const it = serverTest(target, {
    // Thumbnails here are made by hand; the job runner stays paused so it writes none of its own.
    options: { jobs: { paused: true } },
    member: 'member',
    phone: 'Owner iPhone',
    async seed({ server, owner, member, phone, api, upload: uploadRaw }) {
      async function upload(
        token: string,
        filename: string,
        bytes: Buffer,
        deviceId: string | null,
        userId: string,
      ) {
        const id = await uploadRaw(token, filename, bytes);
        const detail = await api('GET', `/media/${id}`, undefined, token);
        const relPath = detail.json().data.relPath as string;
        uploads.push({ id, relPath, userId, deviceId, video: filename.endsWith('.MOV') });
        return id;
      }

      ownerId = (await api('GET', '/auth/me')).json().data.user.id;
      memberPhone = await pairPhone(server.app, member.token, 'Member iPhone');
      await upload(phone.token, 'IMG_0001.PNG', pngBytes(1, 64), phone.deviceId, ownerId);
      await upload(phone.token, 'IMG_0002.JPG', buildJpeg({ size: 123_457 }), phone.deviceId, ownerId);
      await upload(
        phone.token,
        'IMG_0003.MOV',
        buildMovie({
          timescale: 600,
          duration: 600,
          tracks: [{ handler: 'vide', width: 640, height: 480 }],
          mdatLength: 300_001,
        }),
        phone.deviceId,
        ownerId,
      );
      await upload(owner, 'desk.png', pngBytes(2, 32), null, ownerId);
      const trashedId = await upload(owner, 'old.jpg', buildJpeg({ size: 77_777 }), null, ownerId);
      await upload(memberPhone.token, 'IMG_0001.PNG', pngBytes(3, 48), memberPhone.deviceId, member.id);
      trashedPath = uploads.find((item) => item.id === trashedId)!.relPath;
      await server.database.db
        .updateTable('media')
        .set({ trashed_at: server.clock.now() })
        .where('id', '=', trashedId)
        .execute();
      for (const [index, item] of uploads.entries()) {
        for (const size of ['small', 'preview'] as const) {
          const path = thumbnailPath(server.app.layout.thumbsDir, item.id, size);
          await mkdir(dirname(path), { recursive: true });
          await writeFile(path, randomBytes(size === 'small' ? 1000 + index : 20_000 + index));
        }
      }
      thumbnailBytes = sum((await sizesUnder(server.app.layout.thumbsDir)).values());
    },
  }).extend('storage', ({ api }) => async (token: string) => {
    const response = await api('GET', '/system/storage', undefined, token);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().data;
  });

  it('shows the owner the household, matching the files on disk', async ({
    server,
    owner,
    member,
    phone,
    storage,
  }) => {
    const report = await storage(owner);
    const onDisk = await sizesUnder(server.config.libraryDir);
    for (const name of onDisk.keys()) if (name.startsWith('.tmp/')) onDisk.delete(name);
    const sizeOf = (item: (typeof uploads)[number]) => onDisk.get(item.relPath)!;
    const live = uploads.filter((item) => item.relPath !== trashedPath);
    expect(onDisk.size).toBe(uploads.length);

    expect(report.scope).toBe('household');
    expect(report.library.items).toBe(live.length);
    expect(report.library.bytes).toBe(sum(live.map(sizeOf)));
    expect(report.trash).toEqual({ items: 1, bytes: onDisk.get(trashedPath) });
    expect(report.library.byType).toEqual(
      expect.arrayContaining([
        { type: 'photo', items: 4, bytes: sum(live.filter((item) => !item.video).map(sizeOf)) },
        { type: 'video', items: 1, bytes: sum(live.filter((item) => item.video).map(sizeOf)) },
      ]),
    );
    expect(report.library.byUser).toEqual(
      expect.arrayContaining([
        {
          userId: ownerId,
          username: 'owner',
          items: 4,
          bytes: sum(live.filter((item) => item.userId === ownerId).map(sizeOf)),
        },
        {
          userId: member.id,
          username: 'member',
          items: 1,
          bytes: sum(live.filter((item) => item.userId === member.id).map(sizeOf)),
        },
      ]),
    );
    const deviceBytes = (deviceId: string | null) =>
      sum(live.filter((item) => item.deviceId === deviceId).map(sizeOf));
    expect(report.library.byDevice).toEqual(
      expect.arrayContaining([
        {
          deviceId: phone.deviceId,
          deviceName: 'Owner iPhone',
          userId: ownerId,
          items: 3,
          bytes: deviceBytes(phone.deviceId),
        },
        { deviceId: null, deviceName: null, userId: ownerId, items: 1, bytes: deviceBytes(null) },
        {
          deviceId: memberPhone.deviceId,
          deviceName: 'Member iPhone',
          userId: member.id,
          items: 1,
          bytes: deviceBytes(memberPhone.deviceId),
        },
      ]),
    );
    expect(report.library.byDevice).toHaveLength(3);
    expect(report.thumbnails).toEqual({ files: uploads.length * 2, bytes: thumbnailBytes });

    const fs = await statfs(server.config.libraryDir);
    expect(report.disk.totalBytes).toBe(fs.blocks * fs.bsize);
    // Other processes write to this disk too: free space is compared loosely.
    expect(Math.abs(report.disk.freeBytes - fs.bavail * fs.bsize)).toBeLessThan(GiB);
    expect(report.disk.usedBytes + report.disk.freeBytes).toBeLessThanOrEqual(report.disk.totalBytes);
    expect(report.minFreeBytes).toBe(server.config.minFreeBytes);
  });

  it('shows a member the disk and their own library only', async ({ server, member, storage }) => {
    const report = await storage(member.token);
    const mine = uploads.filter((item) => item.userId === member.id);
    const bytes = (await stat(join(server.config.libraryDir, mine[0]!.relPath))).size;
    expect(report.scope).toBe('user');
    expect(report.library).toEqual({
      items: 1,
      bytes,
      byType: [{ type: 'photo', items: 1, bytes }],
      byUser: [{ userId: member.id, username: 'member', items: 1, bytes }],
      byDevice: [
        { deviceId: memberPhone.deviceId, deviceName: 'Member iPhone', userId: member.id, items: 1, bytes },
      ],
    });
    expect(report.trash).toEqual({ items: 0, bytes: 0 });
    expect(report.thumbnails).toBeNull();
    expect(report.disk.totalBytes).toBeGreaterThan(0);
    expect(JSON.stringify(report)).not.toContain(ownerId);
  });

  it('puts a storage summary in system/status, scoped the same way', async ({
    server,
    owner,
    member,
    storage,
  }) => {
    const status = (token: string) =>
      server.app
        .inject({ url: '/api/v1/system/status', headers: bearer(token) })
        .then((r) => r.json().data.storage);
    const onDisk = await sizesUnder(server.config.libraryDir);
    const ownerSummary = await status(owner);
    expect(ownerSummary).toMatchObject({ libraryItems: uploads.length, libraryBytes: sum(onDisk.values()) });
    expect(ownerSummary.diskTotalBytes).toBe((await storage(owner)).disk.totalBytes);
    expect(ownerSummary.diskFreeBytes).toBeGreaterThan(0);
    const memberFile = uploads.find((item) => item.userId === member.id)!;
    expect(await status(member.token)).toMatchObject({
      libraryItems: 1,
      libraryBytes: onDisk.get(memberFile.relPath),
    });
  });

  it('needs the media.read scope', async ({ server, owner }) => {
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/devices',
      headers: bearer(owner),
      payload: { name: 'Shortcut', platform: 'shortcuts', scopes: ['media.upload'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const response = await server.app.inject({
      url: '/api/v1/system/storage',
      headers: bearer(created.json().data.token),
    });
    expect(response.statusCode).toBe(403);
    expect((await server.app.inject({ url: '/api/v1/system/storage' })).statusCode).toBe(401);
  });
});

describe('storage warnings on a nearly full disk', () => {
  let mounted: string | undefined;
  let server: TestServer | undefined;

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iclood-small-disk-'));
    try {
      await run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir]);
      mounted = dir;
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      console.warn(`SKIPPED: cannot mount a tmpfs (${(error as Error).message.split('\n')[0]})`);
      return;
    }
    await writeFile(join(mounted, 'filler.bin'), randomBytes(7.5 * 1024 * 1024));
    server = await startTestServer(databaseTargets[0]!, {
      ICLOOD_LIBRARY_DIR: join(mounted, 'library'),
      ICLOOD_MIN_FREE_BYTES: '1MiB',
    });
  });
  afterAll(async () => {
    await server?.close();
    if (mounted) {
      await run('umount', [mounted]);
      await rm(mounted, { recursive: true, force: true });
    }
  });

  it('warns below 10 % free and below ICLOOD_MIN_FREE_BYTES', async (context) => {
    if (!server) return context.skip('tmpfs mount refused');
    const token = await setupOwner(server.app);
    const report = (await server.app.inject({ url: '/api/v1/system/storage', headers: bearer(token) })).json()
      .data;
    expect(report.disk.totalBytes).toBe(8 * 1024 * 1024);
    expect(report.disk.freeBytes).toBeLessThan(1024 * 1024);
    expect(report.warnings.map((warning: { code: string }) => warning.code)).toEqual([
      'DISK_LOW',
      'BELOW_MIN_FREE',
    ]);
    expect(report.warnings[0].message).toMatch(/% of the library's disk is free/);
  });

  const roomy = freshServerTest(databaseTargets[0]!, { env: { ICLOOD_MIN_FREE_BYTES: '1MiB' } });
  roomy('has no warnings with room to spare', async ({ server, owner: token }) => {
    const report = (await server.app.inject({ url: '/api/v1/system/storage', headers: bearer(token) })).json()
      .data;
    const fs = await statfs(server.config.libraryDir);
    if (fs.bavail / fs.blocks >= 0.1) expect(report.warnings).toEqual([]);
    else expect(report.warnings.map((warning: { code: string }) => warning.code)).toEqual(['DISK_LOW']);
  });
});
