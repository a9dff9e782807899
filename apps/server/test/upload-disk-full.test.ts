import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect } from 'vitest';
import { bearer, databaseTargets, filesUnder, pngBytes } from './helper.js';
import { serverTest } from './server-test.js';
import { multipartAround } from './socket-client.js';

// A real full disk: the library on a 4 MiB tmpfs (needs root; skipped with a message otherwise).
const mountPoint = await mkdtemp(join(tmpdir(), 'iclood-full-disk-'));
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'pipe' });
  mounted = true;
} catch (error) {
  console.warn(`disk-full tests skipped: cannot mount a tmpfs here (${String(error).split('\n')[0]})`);
}

describe.skipIf(!mounted)('a full disk answers 507 STORAGE_FULL and stays consistent', () => {
  // Registered before the server's own afterAll, so it runs after the server is closed.
  afterAll(async () => {
    if (mounted) execFileSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });
  const it = serverTest(databaseTargets[0]!, {
    env: { ICLOOD_LIBRARY_DIR: join(mountPoint, 'library'), ICLOOD_MIN_FREE_BYTES: '1MiB' },
    phone: true,
  });

  it('refuses before reading when Content-Length would leave less than ICLOOD_MIN_FREE_BYTES', async ({
    server,
    phone,
  }) => {
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload?filename=big.png',
      headers: { ...bearer(phone.token), 'content-length': String(3.5 * 1024 * 1024) },
      payload: Buffer.concat([pngBytes(1), Buffer.alloc(3.5 * 1024 * 1024 - pngBytes(1).length)]),
    });
    expect(response.statusCode).toBe(507);
    expect(response.json().error.code).toBe('STORAGE_FULL');
    expect(await filesUnder(join(mountPoint, 'library'))).toEqual([]);
  });

  it('when the disk fills mid-stream (no Content-Length), removes the temp file and answers 507', async ({
    server,
    phone,
  }) => {
    const head = pngBytes(2);
    const chunks = [head, ...Array.from({ length: 12 }, () => Buffer.alloc(512 * 1024, 7))];
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload?filename=stream.png',
      headers: { ...bearer(phone.token), 'transfer-encoding': 'chunked' },
      payload: Readable.from(chunks),
    });
    expect(response.statusCode).toBe(507);
    expect(response.json().error.code).toBe('STORAGE_FULL');
    expect(await filesUnder(join(mountPoint, 'library'))).toEqual([]);
    expect(await server.database.db.selectFrom('media').select('id').execute()).toEqual([]);

    // The server is fine and a small photo still fits.
    const small = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload?filename=small.png',
      headers: bearer(phone.token),
      payload: pngBytes(3),
    });
    expect(small.statusCode).toBe(201);
  });

  it('a multipart form whose file fills the disk mid-stream answers 507 too, not 413', async ({
    server,
    phone,
  }) => {
    const before = await filesUnder(join(mountPoint, 'library'));
    const rows = await server.database.db.selectFrom('media').select('id').execute();
    const head = pngBytes(4);
    const filler = Array.from({ length: 12 }, () => Buffer.alloc(512 * 1024, 9));
    const form = multipartAround(
      { localId: 'form-1' },
      { name: 'form.png', size: head.length + 12 * filler[0]!.length, chunks: [head, ...filler] },
    );
    const response = await server.app.inject({
      method: 'POST',
      url: '/api/v1/media/upload',
      headers: { ...bearer(phone.token), 'content-type': form.contentType, 'transfer-encoding': 'chunked' },
      payload: Readable.from(form.chunks()),
    });
    expect(response.statusCode).toBe(507);
    expect(response.json().error.code).toBe('STORAGE_FULL');
    expect(await filesUnder(join(mountPoint, 'library'))).toEqual(before);
    expect(await server.database.db.selectFrom('media').select('id').execute()).toEqual(rows);
  });
});
