// The recipe of docs/shortcuts.md, sent by real `curl` over a socket exactly as an iOS Shortcut's
// "Get Contents of URL" sends it: JSON bodies for the session calls, and the photo as the raw body
// (Request Body: File) with `Content-Type: image/jpeg` and a file name without an extension.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { bearer, databaseTargets } from './helper.js';
import { serverTest } from './server-test.js';

interface CurlAnswer {
  status: number;
  body: { status: string; data?: Record<string, unknown>; error?: { code: string } };
}

/** Runs curl; the answer's status code is printed after the body on a line of its own. */
function curl(args: string[]): Promise<CurlAnswer> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['--silent', '--show-error', '--write-out', '\n%{http_code}', ...args],
      { timeout: 60_000, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          return reject(
            new Error(missing ? 'curl is required for this test (apt-get install curl)' : stderr),
          );
        }
        const cut = stdout.lastIndexOf('\n');
        resolve({ status: Number(stdout.slice(cut + 1)), body: JSON.parse(stdout.slice(0, cut)) });
      },
    );
  });
}

describe.each(databaseTargets)('a Shortcut backing up, as curl sends it ($label)', (target) => {
  let token: string;
  let folder: string;
  let photoPath: string;
  let photo: Buffer;

  const it = serverTest(target, {
    listen: true,
    async seed({ api }) {
      const created = await api('POST', '/devices', {
        name: "Anna's iPhone Shortcut",
        platform: 'shortcuts',
      });
      token = created.json().data.token;
    },
  });

  beforeAll(async () => {
    // A 5 MB JPEG: noise does not compress, so a 3000 × 2250 picture is about the size of a phone photo.
    folder = await mkdtemp(join(tmpdir(), 'iclood-shortcut-'));
    photoPath = join(folder, 'IMG_0001');
    const width = 3000;
    const height = 2250;
    await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 88 })
      .toFile(photoPath);
    photo = await readFile(photoPath);
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  const auth = () => ['--header', `Authorization: Bearer ${token}`];
  const json = (body: unknown) => [
    '--header',
    'Content-Type: application/json',
    '--data',
    JSON.stringify(body),
  ];

  it('start → raw upload → stop, and the status then gives the last completed backup', async ({
    server,
    owner,
    base,
  }) => {
    expect(photo.length).toBeGreaterThan(4.5 * 1024 * 1024);

    const before = await curl([...auth(), `${base}/api/v1/backup/status`]);
    expect(before.status).toBe(200);
    expect(before.body.data).toEqual({ current: null, lastCompletedAt: null, lastCompletedStartedAt: null });

    const start = await curl([...auth(), ...json({ expectedFiles: 1 }), `${base}/api/v1/backup/start`]);
    expect(start.status).toBe(201);
    const session = start.body.data!.session as { id: string; startedAt: string };

    server.clock.advance(30_000);
    const upload = await curl([
      ...auth(),
      '--header',
      'Content-Type: image/jpeg',
      '--data-binary',
      `@${photoPath}`,
      `${base}/api/v1/media/upload?filename=IMG_0001&sessionId=${session.id}`,
    ]);
    expect(upload.status).toBe(201);
    expect(upload.body.data).toMatchObject({ status: 'created' });

    // Sent again (a retry, or the next run overlapping): answered, never stored twice.
    const again = await curl([
      ...auth(),
      '--header',
      'Content-Type: image/jpeg',
      '--data-binary',
      `@${photoPath}`,
      `${base}/api/v1/media/upload?filename=IMG_0001&sessionId=${session.id}`,
    ]);
    expect(again.status).toBe(200);
    expect(again.body.data).toMatchObject({ status: 'duplicate', id: upload.body.data!.id });

    server.clock.advance(30_000);
    const stop = await curl([...auth(), ...json({ sessionId: session.id }), `${base}/api/v1/backup/stop`]);
    expect(stop.status).toBe(200);
    const ended = stop.body.data!.session as { endedAt: string };
    expect(stop.body.data!.session).toMatchObject({
      status: 'completed',
      files: 1,
      duplicates: 1,
      failures: 0,
      bytes: photo.length,
    });

    const after = await curl([...auth(), `${base}/api/v1/backup/status`]);
    const { lastCompletedAt, lastCompletedStartedAt, current } = after.body.data as {
      lastCompletedAt: string;
      lastCompletedStartedAt: string;
      current: unknown;
    };
    expect(current).toBeNull();
    // When it ended, and when it started: the Shortcut filters on the start, so photos taken while
    // the backup ran come round next time.
    expect(lastCompletedAt).toBe(ended.endedAt);
    expect(lastCompletedStartedAt).toBe(session.startedAt);
    expect(Date.parse(lastCompletedAt)).toBeGreaterThan(Date.parse(lastCompletedStartedAt));

    const media = await server.app.inject({
      url: `/api/v1/media/${upload.body.data!.id as string}/original`,
      headers: bearer(token),
    });
    // The token uploads only: reading the original back is refused; the owner gets the bytes sent.
    expect(media.statusCode).toBe(403);
    const original = await server.app.inject({
      url: `/api/v1/media/${upload.body.data!.id as string}/original`,
      headers: bearer(owner),
    });
    expect(original.statusCode).toBe(200);
    expect(createHash('sha256').update(original.rawPayload).digest('hex')).toBe(
      createHash('sha256').update(photo).digest('hex'),
    );
  });

  it('a body sent as a form or JSON (the Shortcut set to Form or JSON, not File) is refused with 415', async ({
    base,
  }) => {
    // curl's --data-binary without a type sends application/x-www-form-urlencoded.
    const form = await curl([
      ...auth(),
      '--data-binary',
      `@${photoPath}`,
      `${base}/api/v1/media/upload?filename=IMG_0002`,
    ]);
    expect(form.status).toBe(415);
    expect(form.body.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const asJson = await curl([
      ...auth(),
      ...json({ file: 'IMG_0002' }),
      `${base}/api/v1/media/upload?filename=IMG_0002`,
    ]);
    expect(asJson.status).toBe(415);
    // Any other type is fine: the server reads the type from the bytes.
    const octets = await curl([
      ...auth(),
      '--header',
      'Content-Type: application/octet-stream',
      '--data-binary',
      `@${photoPath}`,
      `${base}/api/v1/media/upload?filename=IMG_0002`,
    ]);
    expect(octets.status).toBe(200);
    expect(octets.body.data).toMatchObject({ status: 'duplicate' });
  });
});
