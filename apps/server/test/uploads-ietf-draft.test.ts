// The IETF "Resumable Uploads for HTTP" draft as Apple's URLSession speaks it, from a raw
// node:http client over a real socket: a plain POST /media/upload carrying
// Upload-Draft-Interop-Version gets a 104 with the upload's Location before its body is read; cut
// off, it resumes there (HEAD for the offset, PATCH for the rest) — interop 3 (iOS 17:
// `Upload-Incomplete`), 5 (`Upload-Complete`, a part of any type) and 6 (iOS 18: `Upload-Complete`,
// parts as `application/partial-upload`).
import { stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { beforeAll, describe, expect } from 'vitest';
import { noiseJpeg } from './fixtures/noise-jpeg.js';
import { bearer, databaseTargets, filesUnder, sha256Hex, type TestServer } from './helper.js';
import { serverTest } from './server-test.js';

const MiB = 1024 * 1024;
const VERSIONS = [3, 5, 6] as const;
type Version = (typeof VERSIONS)[number];

describe.each(databaseTargets)('IETF resumable uploads, interop 3, 5 and 6 ($label)', (target) => {
  let server: TestServer;
  let auth: { authorization: string };
  let base: string;
  let photo: Buffer;
  const it = serverTest(target, {
    phone: true,
    listen: true,
    async seed(context) {
      ({ server, base } = context);
      auth = bearer(context.phone.token);
    },
  });
  beforeAll(async () => {
    photo = await noiseJpeg(1600, 1200);
  });

  /** How the version says "this is the whole file" (3: no Upload-Incomplete; 5, 6: Upload-Complete). */
  const whole = (version: Version): Record<string, string> =>
    version === 3 ? {} : { 'upload-complete': '?1' };

  /**
   * The upload as URLSession starts it: the 104's Location, then either the final answer or, when
   * `cutAfter` is given, the connection destroyed once that many bytes are in the upload's file.
   */
  function create(version: Version, file: Buffer, name: string, cutAfter?: number) {
    return new Promise<{ location: string; status?: number; body?: string }>((resolve, reject) => {
      let location: string | undefined;
      const outgoing = request(`${base}/api/v1/media/upload?filename=${name}`, {
        method: 'POST',
        headers: {
          ...auth,
          'content-type': 'image/jpeg',
          'content-length': String(file.length),
          'upload-draft-interop-version': String(version),
          ...whole(version),
        },
      });
      outgoing.on('information', (info) => {
        expect(info.statusCode).toBe(104);
        expect(info.headers['upload-draft-interop-version']).toBe(String(version));
        location = info.headers.location;
        if (cutAfter === undefined) return;
        const partFile = join(server.config.libraryDir, '.tmp', 'resumable', location!.split('/').pop()!);
        void (async () => {
          while (((await stat(partFile).catch(() => undefined))?.size ?? 0) < cutAfter) {
            await new Promise((wait) => setTimeout(wait, 10));
          }
          outgoing.destroy();
          resolve({ location: location! });
        })();
      });
      outgoing.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ location: location!, status: response.statusCode!, body }));
      });
      outgoing.on('error', (error) => {
        if (cutAfter === undefined) reject(error);
      });
      outgoing.end(cutAfter === undefined ? file : file.subarray(0, cutAfter + 256 * 1024));
    });
  }

  async function offsetOf(version: Version, location: string, atLeast: number) {
    // Once the cut request is wound up, the offset stops moving. Until its bytes are fsynced and
    // recorded (slow on a busy machine) HEAD still gives the offset before it, so wait for the
    // bytes the file is known to hold, then for the offset to settle.
    let last: Response | undefined;
    for (;;) {
      const response = await fetch(`${base}${location}`, {
        method: 'HEAD',
        headers: { ...auth, 'upload-draft-interop-version': String(version) },
      });
      expect(response.status).toBe(204);
      const offset = Number(response.headers.get('upload-offset'));
      if (offset >= atLeast && last && last.headers.get('upload-offset') === String(offset)) return response;
      last = response;
      await new Promise((wait) => setTimeout(wait, 150));
    }
  }

  async function expectStored(answer: { status: number; body: string }, file: Buffer, name: string) {
    expect(answer.status, answer.body).toBe(201);
    const { data } = JSON.parse(answer.body) as { data: { id: string; status: string } };
    expect(data.status).toBe('created');
    const row = await server.database.db
      .selectFrom('media')
      .select(['sha256', 'size', 'original_name'])
      .where('id', '=', data.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ sha256: sha256Hex(file), size: file.length, original_name: name });
    expect(await filesUnder(join(server.config.libraryDir, '.tmp'))).toEqual([]);
  }

  it.each(VERSIONS)('interop %i: a whole upload gets the 104, then 201 like any upload', async (version) => {
    const file = await noiseJpeg(900, 700);
    const answer = await create(version, file, `IMG_03${version}0.JPG`);
    expect(answer.location).toMatch(/^\/api\/v1\/uploads\/[0-9a-f-]{36}$/);
    await expectStored(answer as { status: number; body: string }, file, `IMG_03${version}0.JPG`);
  });

  it.each(VERSIONS)('interop %i: cut off mid-body, resumed at the offset HEAD gives', async (version) => {
    const file = version === 3 ? photo : await noiseJpeg(1600, 1200);
    const name = `IMG_03${version}1.JPG`;
    const { location } = await create(version, file, name, MiB);
    const head = await offsetOf(version, location, MiB);
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThanOrEqual(MiB);
    expect(offset).toBeLessThan(file.length);
    if (version === 3) expect(head.headers.get('upload-incomplete')).toBe('?1');
    else expect(head.headers.get('upload-complete')).toBe('?0');

    // A part at the wrong offset: 409 with the right one.
    const wrong = await fetch(`${base}${location}`, {
      method: 'PATCH',
      headers: {
        ...auth,
        'upload-draft-interop-version': String(version),
        'upload-offset': '0',
        'content-type': 'application/partial-upload',
        ...whole(version),
      },
      body: file,
    });
    expect(wrong.status).toBe(409);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('UPLOAD_OFFSET_MISMATCH');
    expect(wrong.headers.get('upload-offset')).toBe(String(offset));

    // From 6 (draft -04) a part is `application/partial-upload`, and one without is refused; 3 and 5
    // send theirs with no type of their own (as tus-js-client's ietf-draft-03, interop 5, does).
    if (version === 6) {
      const untyped = await fetch(`${base}${location}`, {
        method: 'PATCH',
        headers: {
          ...auth,
          'upload-draft-interop-version': '6',
          'upload-offset': String(offset),
          ...whole(6),
        },
        body: file.subarray(offset),
      });
      expect(untyped.status).toBe(415);
    }

    const rest = await fetch(`${base}${location}`, {
      method: 'PATCH',
      headers: {
        ...auth,
        'upload-draft-interop-version': String(version),
        'upload-offset': String(offset),
        ...(version === 6 ? { 'content-type': 'application/partial-upload' } : {}),
        ...whole(version),
      },
      body: file.subarray(offset),
    });
    if (version === 3) expect(rest.headers.get('upload-incomplete')).toBe('?0');
    else expect(rest.headers.get('upload-complete')).toBe('?1');
    await expectStored({ status: rest.status, body: await rest.text() }, file, name);
  });
});
