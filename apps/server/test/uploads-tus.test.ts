// tus 1.0 on /api/v1/uploads, request by request: creation, HEAD, PATCH, DELETE, OPTIONS, and
// every bad input answered with a clear 4xx and its code, nothing placed in the library and
// nothing left in its .tmp once cleaned up.
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect } from 'vitest';
import { bearer, databaseTargets, filesUnder, pngBytes, sha256Hex } from './helper.js';
import { serverTest, type ServerContext } from './server-test.js';

const TUS = { 'tus-resumable': '1.0.0' };
const PART = 'application/offset+octet-stream';
const HOUR_MS = 3_600_000;

function metadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

describe.each(databaseTargets)('tus 1.0 resumable uploads ($label)', (target) => {
  const it = serverTest(target, { member: 'bob', phone: true });

  type Server = ServerContext['server'];

  async function create(server: Server, token: string, length: number, fields: Record<string, string>) {
    return server.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: {
        ...bearer(token),
        ...TUS,
        'upload-length': String(length),
        'upload-metadata': metadata(fields),
      },
    });
  }

  async function created(server: Server, token: string, length: number, fields: Record<string, string>) {
    const response = await create(server, token, length, fields);
    expect(response.statusCode, response.body).toBe(201);
    expect(response.headers['tus-resumable']).toBe('1.0.0');
    expect(response.headers['upload-expires']).toBeDefined();
    return String(response.headers.location);
  }

  function patch(
    server: Server,
    token: string,
    url: string,
    offset: number,
    body: Buffer | PassThrough,
    type = PART,
  ) {
    return server.app.inject({
      method: 'PATCH',
      url,
      headers: { ...bearer(token), ...TUS, 'upload-offset': String(offset), 'content-type': type },
      payload: body,
    });
  }

  function head(server: Server, token: string, url: string) {
    return server.app.inject({ method: 'HEAD', url, headers: { ...bearer(token), ...TUS } });
  }

  /** Nothing placed in the library, nothing left in .tmp, no upload row. */
  async function expectNothingLeft(server: Server, owner: string, libraryFilesBefore: string[]) {
    const cleanup = await server.app.inject({
      method: 'POST',
      url: '/api/v1/system/cleanup',
      headers: bearer(owner),
    });
    expect(cleanup.statusCode).toBe(200);
    const library = await filesUnder(server.config.libraryDir);
    expect(library.filter((path) => !path.startsWith('.tmp'))).toEqual(
      libraryFilesBefore.filter((path) => !path.startsWith('.tmp')),
    );
    expect(await filesUnder(join(server.config.libraryDir, '.tmp'))).toEqual([]);
    expect(await server.database.db.selectFrom('partial_uploads').select('id').execute()).toEqual([]);
  }

  it('OPTIONS lists the version, the extensions and no limit unless one is set', async ({ server }) => {
    const response = await server.app.inject({ method: 'OPTIONS', url: '/api/v1/uploads' });
    expect(response.statusCode).toBe(204);
    expect(response.headers['tus-version']).toBe('1.0.0');
    expect(String(response.headers['tus-extension']).split(',')).toEqual([
      'creation',
      'creation-with-upload',
      'termination',
      'expiration',
      'checksum',
    ]);
    expect(response.headers['tus-checksum-algorithm']).toBe('sha1,sha256');
    expect(response.headers['tus-max-size']).toBeUndefined();
  });

  it('checks a part against its Upload-Checksum: 460 and nothing kept when it does not match', async ({
    server,
    phone,
  }) => {
    const file = pngBytes(7009, 64);
    const url = await created(server, phone.token, file.length, { filename: 'IMG_7009.PNG' });
    const half = Math.floor(file.length / 2);
    const checked = (part: Buffer, offset: number, checksum: string) =>
      server.app.inject({
        method: 'PATCH',
        url,
        headers: {
          ...bearer(phone.token),
          ...TUS,
          'upload-offset': String(offset),
          'content-type': PART,
          'upload-checksum': checksum,
        },
        payload: part,
      });
    const digest = (algorithm: string, part: Buffer) => createHash(algorithm).update(part).digest('base64');

    const wrong = await checked(file.subarray(0, half), 0, `sha1 ${digest('sha1', file.subarray(1, half))}`);
    expect(wrong.statusCode).toBe(460);
    expect(wrong.json().error.code).toBe('UPLOAD_CHECKSUM_MISMATCH');
    expect((await head(server, phone.token, url)).headers['upload-offset']).toBe('0');
    const unknown = await checked(file.subarray(0, half), 0, `md5 ${digest('md5', file.subarray(0, half))}`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('VALIDATION_FAILED');

    const first = await checked(file.subarray(0, half), 0, `sha1 ${digest('sha1', file.subarray(0, half))}`);
    expect(first.statusCode, first.body).toBe(204);
    const last = await checked(file.subarray(half), half, `sha256 ${digest('sha256', file.subarray(half))}`);
    expect(last.statusCode, last.body).toBe(201);
    const row = await server.database.db
      .selectFrom('media')
      .select('sha256')
      .where('id', '=', last.json().data.id)
      .executeTakeFirstOrThrow();
    expect(row.sha256).toBe(sha256Hex(file));
  });

  it('creation, HEAD, PATCH in two parts: the last answers 201 created, like a plain upload', async ({
    server,
    phone,
  }) => {
    const file = pngBytes(7001, 64);
    const url = await created(server, phone.token, file.length, {
      filename: 'IMG_7001.PNG',
      localId: 'L-7001',
    });
    expect(url).toMatch(/^\/api\/v1\/uploads\/[0-9a-f-]{36}$/);
    const at0 = await head(server, phone.token, url);
    expect(at0.statusCode).toBe(200);
    expect(at0.headers['upload-offset']).toBe('0');
    expect(at0.headers['upload-length']).toBe(String(file.length));
    expect(at0.headers['cache-control']).toBe('no-store');

    const half = Math.floor(file.length / 2);
    const first = await patch(server, phone.token, url, 0, file.subarray(0, half));
    expect(first.statusCode, first.body).toBe(204);
    expect(first.headers['upload-offset']).toBe(String(half));
    expect((await head(server, phone.token, url)).headers['upload-offset']).toBe(String(half));

    const last = await patch(server, phone.token, url, half, file.subarray(half));
    expect(last.statusCode, last.body).toBe(201);
    expect(last.headers['upload-offset']).toBe(String(file.length));
    const { data } = last.json();
    expect(data.status).toBe('created');
    const row = await server.database.db
      .selectFrom('media')
      .select(['sha256', 'local_id', 'device_id'])
      .where('id', '=', data.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ sha256: sha256Hex(file), local_id: 'L-7001', device_id: phone.deviceId });
    // Finished: the upload is gone.
    expect((await head(server, phone.token, url)).statusCode).toBe(404);

    // The same bytes again, whole in the creation request: 200 duplicate with the same id.
    const again = await server.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: {
        ...bearer(phone.token),
        ...TUS,
        'upload-length': String(file.length),
        'upload-metadata': metadata({ filename: 'copy.png' }),
        'content-type': PART,
      },
      payload: file,
    });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().data).toEqual({ id: data.id, status: 'duplicate' });
  });

  it('a sha256 already backed up finishes at creation, without a byte sent', async ({
    server,
    phone,
    upload,
  }) => {
    const file = pngBytes(7002, 32);
    const id = await upload(phone.token, 'known.png', file);
    const response = await create(server, phone.token, file.length, {
      filename: 'known.png',
      sha256: sha256Hex(file),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().data).toEqual({ id, status: 'duplicate' });
    expect(response.headers.location).toBeUndefined();
    expect(await server.database.db.selectFrom('partial_uploads').select('id').execute()).toEqual([]);
  });

  it('refuses bad input with a 4xx and its code, placing nothing', async ({
    server,
    owner,
    phone,
    member,
  }) => {
    const before = await filesUnder(server.config.libraryDir);
    const file = pngBytes(7003, 48);
    const noLength = await server.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: { ...bearer(phone.token), ...TUS, 'upload-metadata': metadata({ filename: 'a.png' }) },
    });
    expect(noLength.statusCode).toBe(400);
    expect(noLength.json().error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(noLength.json().error.details)).toContain('upload-length');

    const noVersion = await server.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: { ...bearer(phone.token), 'upload-length': '10' },
    });
    expect(noVersion.statusCode).toBe(412);
    expect(noVersion.json().error.code).toBe('UPLOAD_PROTOCOL_UNSUPPORTED');
    expect(noVersion.headers['tus-version']).toBe('1.0.0');

    const noName = await create(server, phone.token, 10, { localId: 'x' });
    expect(noName.statusCode).toBe(400);
    expect(noName.json().error.code).toBe('VALIDATION_FAILED');
    const pathName = await create(server, phone.token, 10, { filename: '../etc/passwd' });
    expect(pathName.json().error.code).toBe('INVALID_FILENAME');
    const badMetadata = await server.app.inject({
      method: 'POST',
      url: '/api/v1/uploads',
      headers: {
        ...bearer(phone.token),
        ...TUS,
        'upload-length': '10',
        'upload-metadata': 'filename not*base64',
      },
    });
    expect(badMetadata.statusCode).toBe(400);
    expect(badMetadata.json().error.code).toBe('VALIDATION_FAILED');
    // 100 TB: more than this disk has free.
    const tooBig = await create(server, phone.token, 10 ** 14, { filename: 'huge.mov' });
    expect(tooBig.statusCode).toBe(507);
    expect(tooBig.json().error.code).toBe('STORAGE_FULL');

    const url = await created(server, phone.token, file.length, { filename: 'IMG_7003.PNG' });
    const wrongType = await patch(server, phone.token, url, 0, file, 'application/octet-stream');
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const ahead = await patch(server, phone.token, url, 5, file.subarray(5));
    expect(ahead.statusCode).toBe(409);
    expect(ahead.json().error.code).toBe('UPLOAD_OFFSET_MISMATCH');
    expect(ahead.headers['upload-offset']).toBe('0');

    const longer = await patch(server, phone.token, url, 0, Buffer.concat([file, Buffer.from('more')]));
    expect(longer.statusCode).toBe(413);
    expect(longer.json().error.code).toBe('UPLOAD_LENGTH_EXCEEDED');
    // Also when the body is streamed: stopped at the length, nothing of it kept.
    const overflowing = new PassThrough();
    const streamed = patch(server, phone.token, url, 0, overflowing);
    overflowing.end(Buffer.concat([file, Buffer.from('more')]));
    const overflowed = await streamed;
    expect(overflowed.statusCode).toBe(413);
    expect(overflowed.json().error.code).toBe('UPLOAD_LENGTH_EXCEEDED');
    expect((await head(server, phone.token, url)).headers['upload-offset']).toBe('0');

    const unknown = await patch(
      server,
      phone.token,
      '/api/v1/uploads/00000000-0000-4000-8000-000000000000',
      0,
      file,
    );
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('NOT_FOUND');
    expect((await head(server, phone.token, '/api/v1/uploads/not-a-uuid')).statusCode).toBe(404);

    // Another user, and the same user without the device that created it, do not see it.
    for (const token of [member.token, owner]) {
      expect((await head(server, token, url)).statusCode).toBe(404);
      const theirs = await patch(server, token, url, 0, file);
      expect(theirs.statusCode).toBe(404);
      const removed = await server.app.inject({
        method: 'DELETE',
        url,
        headers: { ...bearer(token), ...TUS },
      });
      expect(removed.statusCode).toBe(404);
    }
    expect((await head(server, phone.token, url)).headers['upload-offset']).toBe('0');

    const deleted = await server.app.inject({
      method: 'DELETE',
      url,
      headers: { ...bearer(phone.token), ...TUS },
    });
    expect(deleted.statusCode).toBe(204);
    expect((await head(server, phone.token, url)).statusCode).toBe(404);
    await expectNothingLeft(server, owner, before);
  });

  it('a checksum mismatch or a file that is no picture at the end: 4xx, nothing placed', async ({
    server,
    owner,
    phone,
  }) => {
    const before = await filesUnder(server.config.libraryDir);
    const file = pngBytes(7004, 40);
    const url = await created(server, phone.token, file.length, {
      filename: 'IMG_7004.PNG',
      sha256: sha256Hex(pngBytes(7005, 40)),
    });
    const half = 100;
    expect((await patch(server, phone.token, url, 0, file.subarray(0, half))).statusCode).toBe(204);
    const mismatch = await patch(server, phone.token, url, half, file.subarray(half));
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().error.code).toBe('CHECKSUM_MISMATCH');
    expect((await head(server, phone.token, url)).statusCode).toBe(404);

    const text = Buffer.from('just some text, not a photo at all\n'.repeat(40));
    const textUrl = await created(server, phone.token, text.length, { filename: 'notes.jpg' });
    const refused = await patch(server, phone.token, textUrl, 0, text);
    expect(refused.statusCode).toBe(415);
    expect(refused.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    await expectNothingLeft(server, owner, before);
  });

  it('two PATCHes racing: one writes, the other gets 409 with the offset', async ({ server, phone }) => {
    const file = pngBytes(7006, 64);
    const url = await created(server, phone.token, file.length, { filename: 'IMG_7006.PNG' });
    const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
    // The first PATCH, over a real socket, sends part of its body and waits.
    const slow = request(new URL(url, address), {
      method: 'PATCH',
      headers: {
        ...bearer(phone.token),
        ...TUS,
        'upload-offset': '0',
        'content-type': PART,
        'content-length': String(file.length),
      },
    });
    const answered = new Promise<{ status: number; body: string }>((resolve, reject) => {
      slow.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode!, body }));
      });
      slow.on('error', reject);
    });
    slow.write(file.subarray(0, 50));
    // Once the first is inside its handler (its first bytes are in the file), the second is refused.
    const partFile = join(server.config.libraryDir, '.tmp', 'resumable', url.split('/').pop()!);
    while ((await stat(partFile)).size < 50) await new Promise((resolve) => setTimeout(resolve, 10));
    const racing = await patch(server, phone.token, url, 0, file);
    expect(racing.statusCode).toBe(409);
    expect(racing.json().error.code).toBe('UPLOAD_IN_PROGRESS');
    expect(racing.headers['upload-offset']).toBe('0');
    slow.end(file.subarray(50));
    const won = await answered;
    expect(won.status, won.body).toBe(201);
    expect(JSON.parse(won.body).data.status).toBe('created');
  });

  it('expires after ICLOOD_UPLOAD_EXPIRY_HOURS: 410 then gone; cleanup and the report see it', async ({
    server,
    owner,
    phone,
  }) => {
    const before = await filesUnder(server.config.libraryDir);
    const file = pngBytes(7007, 64);
    const url = await created(server, phone.token, file.length, { filename: 'IMG_7007.PNG' });
    const half = Math.floor(file.length / 2);
    expect((await patch(server, phone.token, url, 0, file.subarray(0, half))).statusCode).toBe(204);
    const report = await server.app.inject({
      method: 'GET',
      url: '/api/v1/system/storage',
      headers: bearer(owner),
    });
    expect(report.json().data.resumableUploads).toEqual({
      uploads: 1,
      receivedBytes: half,
      pendingBytes: file.length - half,
    });
    expect(await filesUnder(join(server.config.libraryDir, '.tmp'))).toHaveLength(1);

    // A PATCH moves the expiry on; 24 hours without one and the upload is gone.
    server.clock.advance(23 * HOUR_MS);
    expect((await head(server, phone.token, url)).statusCode).toBe(200);
    server.clock.advance(1 * HOUR_MS);
    const late = await patch(server, phone.token, url, half, file.subarray(half));
    expect(late.statusCode).toBe(410);
    expect(late.json().error.code).toBe('UPLOAD_EXPIRED');
    expect((await head(server, phone.token, url)).statusCode).toBe(404);
    await expectNothingLeft(server, owner, before);

    // Expired and never asked for again: system/cleanup removes it, and counts its bytes.
    const other = await created(server, phone.token, file.length, { filename: 'IMG_7008.PNG' });
    expect((await patch(server, phone.token, other, 0, file.subarray(0, half))).statusCode).toBe(204);
    server.clock.advance(25 * HOUR_MS);
    const cleanup = await server.app.inject({
      method: 'POST',
      url: '/api/v1/system/cleanup',
      headers: bearer(owner),
    });
    expect(cleanup.json().data.tempFiles).toEqual({ files: 1, bytes: half });
    expect((await head(server, phone.token, other)).statusCode).toBe(404);
    await expectNothingLeft(server, owner, before);
  });
});
