import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { deleteTrashedMedia } from '@iclood/db';
import { recordLibraryRemoval, thumbnailPath } from '@iclood/storage';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.js';
import type { App } from '../src/types.js';
import {
  bearer,
  databaseTargets,
  filesUnder,
  pngBytes,
  setupOwner,
  startTestServer,
  testClock,
  type TestServer,
} from './helper.js';

const DAY = 86_400_000;

describe.each(databaseTargets)('purging the trash ($label)', (target) => {
  let server: TestServer | undefined;
  let restarted: App | undefined;

  afterEach(async () => {
    if (restarted && server) {
      // The first app closed at the restart: close the second, then what the test server owns.
      await restarted.close();
      await server.database.destroy();
      await rm(server.dataDir, { recursive: true, force: true });
    } else {
      await server?.close();
    }
    server = undefined;
    restarted = undefined;
  });

  async function start(trashDays: string) {
    server = await startTestServer(target, { ICLOOD_TRASH_DAYS: trashDays });
    const token = await setupOwner(server.app);
    // The run made at start is done before the test trashes anything.
    await server.app.trashPurge.runNow();
    return { server, token };
  }

  async function uploadAndTrash(s: TestServer, token: string, name: string, seed: number) {
    const uploaded = await s.app.inject({
      method: 'POST',
      url: `/api/v1/media/upload?filename=${name}`,
      headers: bearer(token),
      payload: pngBytes(seed),
    });
    expect(uploaded.statusCode, uploaded.body).toBe(201);
    const id = uploaded.json().data.id as string;
    const trashed = await s.app.inject({
      method: 'DELETE',
      url: `/api/v1/media/${id}`,
      headers: bearer(token),
    });
    expect(trashed.statusCode).toBe(200);
    const relPath = (
      await s.database.db
        .selectFrom('media')
        .select('rel_path')
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).rel_path;
    for (const size of ['small', 'preview'] as const) {
      const path = thumbnailPath(s.app.layout.thumbsDir, id, size);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, 'thumbnail');
    }
    return { id, relPath };
  }

  const exists = async (s: TestServer, item: { id: string; relPath: string }) => ({
    row:
      (await s.database.db.selectFrom('media').select('id').where('id', '=', item.id).executeTakeFirst()) !==
      undefined,
    file: (await filesUnder(s.config.libraryDir)).includes(item.relPath),
    thumbnails: (await filesUnder(s.app.layout.thumbsDir)).filter((file) => file.includes(item.id)).length,
  });

  it('removes items once they have been in the trash ICLOOD_TRASH_DAYS, by the test clock', async () => {
    const { server: s, token } = await start('2');
    const older = await uploadAndTrash(s, token, 'OLDER.PNG', 1);
    s.clock.advance(DAY);
    const newer = await uploadAndTrash(s, token, 'NEWER.PNG', 2);

    s.clock.advance(DAY - 1);
    expect(await s.app.trashPurge.runNow()).toEqual({ items: 0, bytes: 0 });
    expect(await exists(s, older)).toEqual({ row: true, file: true, thumbnails: 2 });

    s.clock.advance(1); // exactly two days after OLDER went to the trash
    const freed = await s.app.trashPurge.runNow();
    expect(freed).toEqual({ items: 1, bytes: pngBytes(1).length + 2 * 'thumbnail'.length });
    expect(await exists(s, older)).toEqual({ row: false, file: false, thumbnails: 0 });
    expect(await exists(s, newer)).toEqual({ row: true, file: true, thumbnails: 2 });

    s.clock.advance(DAY);
    expect((await s.app.trashPurge.runNow()).items).toBe(1);
    expect(await exists(s, newer)).toEqual({ row: false, file: false, thumbnails: 0 });
  });

  it('with ICLOOD_TRASH_DAYS=0 purges at the next run', async () => {
    const { server: s, token } = await start('0');
    const item = await uploadAndTrash(s, token, 'NOW.PNG', 3);
    expect((await s.app.trashPurge.runNow()).items).toBe(1);
    expect(await exists(s, item)).toEqual({ row: false, file: false, thumbnails: 0 });
  });

  async function restart(s: TestServer, clock: ReturnType<typeof testClock>): Promise<App> {
    await s.app.close();
    const app = await buildApp(s.config, {
      database: s.database,
      now: clock.now,
      logStream: { write: (line: string) => void s.logs.push(line) },
      // Thumbnail jobs would race the file counts below.
      jobs: { paused: true },
    });
    await app.ready();
    return app;
  }

  it('after a crash, the start-up sweep finishes a removal whose rows were deleted and keeps one whose rows were not', async () => {
    const { server: s, token } = await start('30');
    const deletedRows = await uploadAndTrash(s, token, 'ROWS_DELETED.PNG', 4);
    const keptRows = await uploadAndTrash(s, token, 'ROWS_KEPT.PNG', 5);
    const layout = { libraryDir: s.app.layout.libraryDir, thumbsDir: s.app.layout.thumbsDir };
    // The purge's first steps, then the process dies: for one item after the rows were deleted,
    // for the other right after the intent was written.
    await recordLibraryRemoval({
      ...layout,
      items: [{ mediaId: deletedRows.id, relPath: deletedRows.relPath }],
    });
    await deleteTrashedMedia(s.database.db, { ids: [deletedRows.id], scope: {} });
    await recordLibraryRemoval({ ...layout, items: [{ mediaId: keptRows.id, relPath: keptRows.relPath }] });
    expect(
      (await readdir(join(layout.libraryDir, '.tmp'))).filter((name) => name.endsWith('.removal')),
    ).toHaveLength(2);
    expect(await exists(s, deletedRows)).toEqual({ row: false, file: true, thumbnails: 2 });

    restarted = await restart(s, testClock(s.clock.now().toISOString()));
    expect(await exists(s, deletedRows)).toEqual({ row: false, file: false, thumbnails: 0 });
    expect(await exists(s, keptRows)).toEqual({ row: true, file: true, thumbnails: 2 });
    expect(await readdir(join(layout.libraryDir, '.tmp'))).toEqual([]);
    const listed = await restarted.inject({ url: '/api/v1/trash', headers: bearer(token) });
    expect(listed.json().data.items.map((item: { id: string }) => item.id)).toEqual([keptRows.id]);
  });

  it('purges what expired while the server was off as soon as it starts', async () => {
    const { server: s, token } = await start('30');
    const item = await uploadAndTrash(s, token, 'WHILE_OFF.PNG', 6);
    restarted = await restart(s, testClock(new Date(s.clock.now().getTime() + 31 * DAY).toISOString()));
    await vi.waitFor(
      async () => expect(await exists(s, item)).toEqual({ row: false, file: false, thumbnails: 0 }),
      {
        timeout: 10_000,
        interval: 50,
      },
    );
  });
});
