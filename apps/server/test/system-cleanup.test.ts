import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect } from 'vitest';
import { thumbnailPath, type ThumbnailSize } from '@iclood/storage';
import { buildJpeg } from '../../../packages/media/test/fixtures/build-photos.js';
import { addMember, databaseTargets, filesUnder, pngBytes } from './helper.js';
import { serverTest } from './server-test.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe.each(databaseTargets)('cleanup ($label)', (target) => {
  const it = serverTest(target, {
    env: { ICLOOD_TRASH_DAYS: '30' },
    // Thumbnails here are made by hand; the job runner stays paused so it writes none of its own.
    options: { jobs: { paused: true } },
  }).extend(
    'cleanup',
    ({ api }) =>
      (token?: string) =>
        api('POST', '/system/cleanup', undefined, token),
  );

  it('purges expired trash, abandoned uploads and orphan thumbnails, and says what it freed', async ({
    server,
    owner,
    api,
    upload: uploadRaw,
    cleanup,
  }) => {
    async function upload(filename: string, bytes: Buffer) {
      const id = await uploadRaw(owner, filename, bytes);
      const detail = await api('GET', `/media/${id}`);
      return { id, relPath: detail.json().data.relPath as string, size: bytes.length };
    }

    async function thumbnail(mediaId: string, size: ThumbnailSize, bytes: number): Promise<string> {
      const path = thumbnailPath(server.app.layout.thumbsDir, mediaId, size);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, randomBytes(bytes));
      return path;
    }

    const trashAt = (id: string, at: Date) =>
      server.database.db.updateTable('media').set({ trashed_at: at }).where('id', '=', id).execute();

    const kept = await upload('kept.png', pngBytes(1));
    const expired = await upload('expired.jpg', buildJpeg({ size: 50_000 }));
    const recent = await upload('recent.png', pngBytes(2));
    const now = server.clock.now().getTime();
    await trashAt(expired.id, new Date(now - 31 * DAY));
    await trashAt(recent.id, new Date(now - 2 * DAY));

    await thumbnail(kept.id, 'small', 1000);
    await thumbnail(recent.id, 'small', 1100);
    const expiredThumbs = [
      await thumbnail(expired.id, 'small', 1200),
      await thumbnail(expired.id, 'preview', 9000),
    ];
    const orphans = [
      await thumbnail(randomUUID(), 'small', 700),
      await thumbnail(randomUUID(), 'preview', 7000),
      await thumbnail(randomUUID(), 'preview', 7100),
    ];
    const stray = join(server.app.layout.thumbsDir, 'README.txt');
    await writeFile(stray, 'not a thumbnail');

    const tmp = join(server.config.libraryDir, '.tmp');
    const abandoned = join(tmp, 'abandoned.part');
    const inFlight = join(tmp, 'in-flight.part');
    await writeFile(abandoned, randomBytes(123_456));
    await writeFile(inFlight, randomBytes(4321));
    // Ages on the server's clock: one untouched for two hours, one written a minute ago.
    await utimes(abandoned, new Date(now - 2 * HOUR), new Date(now - 2 * HOUR));
    await utimes(inFlight, new Date(now - 60_000), new Date(now - 60_000));

    const response = await cleanup();
    expect(response.statusCode, response.body).toBe(200);
    const freed = response.json().data;
    const expiredThumbBytes = 1200 + 9000;
    expect(freed).toEqual({
      trash: { items: 1, bytes: expired.size + expiredThumbBytes },
      tempFiles: { files: 1, bytes: 123_456 },
      orphanThumbnails: { files: 3, bytes: 700 + 7000 + 7100 },
      bytesFreed: expired.size + expiredThumbBytes + 123_456 + 14_800,
    });

    const library = await filesUnder(server.config.libraryDir);
    expect(library).toContain(kept.relPath);
    expect(library).toContain(recent.relPath);
    expect(library).not.toContain(expired.relPath);
    expect(library).toContain('.tmp/in-flight.part');
    expect(library).not.toContain('.tmp/abandoned.part');
    for (const path of [...orphans, ...expiredThumbs]) await expect(stat(path)).rejects.toThrow();
    await stat(thumbnailPath(server.app.layout.thumbsDir, kept.id, 'small'));
    await stat(thumbnailPath(server.app.layout.thumbsDir, recent.id, 'small'));
    await stat(stray);
    const rows = await server.database.db.selectFrom('media').select('id').execute();
    expect(rows.map((row) => row.id).sort()).toEqual([kept.id, recent.id].sort());

    // Nothing left to do the second time.
    expect((await cleanup()).json().data).toEqual({
      trash: { items: 0, bytes: 0 },
      tempFiles: { files: 0, bytes: 0 },
      orphanThumbnails: { files: 0, bytes: 0 },
      bytesFreed: 0,
    });

    // Once the recent item has spent 30 days in the trash too, it goes.
    server.clock.advance(29 * DAY);
    const later = (await cleanup()).json().data;
    expect(later.trash).toEqual({ items: 1, bytes: recent.size + 1100 });
  });

  it('is for the owner only', async ({ server, owner, cleanup }) => {
    const member = await addMember(server.app, owner, 'member');
    const response = await cleanup(member.token);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('SCOPE_REQUIRED');
  });
});
