// Phones walk out of Wi-Fi range mid-upload and misbehaving clients stop mid-request. Over a real
// socket (app.inject has none): a stalled upload is closed once it stops moving and its `.part`
// removed at once, while a slow upload that keeps moving finishes however long it takes; stalled
// headers and JSON bodies are closed after the short request timeout; the connection cap holds.
import type { Socket } from 'node:net';
import { describe, expect, vi } from 'vitest';
import { databaseTargets, filesUnder, type TestServer } from './helper.js';
import { noiseJpeg } from './fixtures/noise-jpeg.js';
import { serverTest } from './server-test.js';
import { closedByServer, multipartAround, openRawConnection, postStreamed } from './socket-client.js';

const IDLE_SECONDS = 2;
/** Enough for the server to notice, with room for a busy machine; far below "never". */
const GRACE_MS = 3000;

function portOf(server: TestServer): number {
  const address = server.app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('not listening');
  return address.port;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('uploads that stall, and uploads that are just slow', () => {
  const it = serverTest(databaseTargets[0]!, {
    env: { ICLOOD_IDLE_TIMEOUT_SECONDS: String(IDLE_SECONDS), ICLOOD_REQUEST_TIMEOUT_SECONDS: '1' },
    phone: true,
    listen: true,
  })
    .extend(
      'tmpFiles',
      ({ server }) =>
        () =>
          filesUnder(server.app.layout.libraryTmpDir),
    )
    /** Headers and the first 100 KB of a 10 MB photo, raw or as a form, then silence. */
    .extend('stalledUpload', ({ server, phone }) => async (form: boolean, n: number): Promise<Socket> => {
      const socket = await openRawConnection(portOf(server));
      const declared = 10 * 1024 * 1024;
      const start = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100 * 1024 - 4, n)]);
      let head = `POST /api/v1/media/upload${form ? '' : `?filename=stalled-${n}.jpg`} HTTP/1.1\r\n`;
      head += `Host: 127.0.0.1\r\nAuthorization: Bearer ${phone.token}\r\n`;
      if (form) {
        const body = multipartAround({}, { name: `stalled-${n}.jpg`, size: declared, chunks: [] });
        head += `Content-Type: ${body.contentType}\r\nContent-Length: ${body.length}\r\n\r\n`;
        socket.write(head);
        socket.write(body.head);
        socket.write(start);
      } else {
        head += `Content-Type: image/jpeg\r\nContent-Length: ${declared}\r\n\r\n`;
        socket.write(head);
        socket.write(start);
      }
      return socket;
    });

  it('ten uploads gone silent mid-body are closed after the idle timeout, their .part files removed', async ({
    stalledUpload,
    tmpFiles,
  }) => {
    const sockets = await Promise.all(Array.from({ length: 10 }, (_, n) => stalledUpload(n % 2 === 1, n)));
    // Each reached its temp file: the server is holding what the issue says it must let go of.
    await vi.waitFor(async () => expect(await tmpFiles()).toHaveLength(10), { timeout: 1500, interval: 25 });
    await Promise.all(sockets.map((socket) => closedByServer(socket, IDLE_SECONDS * 1000 + GRACE_MS)));
    await vi.waitFor(async () => expect(await tmpFiles()).toEqual([]), { timeout: 1000, interval: 25 });
  });

  it('an upload that keeps moving, slower than the idle timeout allows in total, is stored', async ({
    base,
    phone,
  }) => {
    const [photo, other] = await Promise.all([noiseJpeg(300), noiseJpeg(300)]);
    const pieces = 24;
    const size = Math.ceil(photo.length / pieces);
    // 24 pieces 250 ms apart: 6 s in all, three idle timeouts, never silent for one.
    async function* trickle(bytes: Buffer) {
      for (let offset = 0; offset < bytes.length; offset += size) {
        yield bytes.subarray(offset, offset + size);
        await sleep(250);
      }
    }
    const started = Date.now();
    const [raw, form] = await Promise.all([
      postStreamed(
        `${base}/api/v1/media/upload?filename=slow-raw.jpg`,
        {
          authorization: `Bearer ${phone.token}`,
          'content-type': 'image/jpeg',
          'content-length': photo.length,
        },
        trickle(photo),
      ),
      (async () => {
        const body = multipartAround({}, { name: 'slow-form.jpg', size: other.length, chunks: [] });
        async function* whole() {
          yield body.head;
          yield* trickle(other);
          yield body.tail;
        }
        return postStreamed(
          `${base}/api/v1/media/upload`,
          {
            authorization: `Bearer ${phone.token}`,
            'content-type': body.contentType,
            'content-length': body.length,
          },
          whole(),
        );
      })(),
    ]);
    expect(Date.now() - started).toBeGreaterThan(2 * IDLE_SECONDS * 1000);
    expect(raw.status, JSON.stringify(raw.body)).toBe(201);
    expect(form.status, JSON.stringify(form.body)).toBe(201);
  });
});

describe('stalled requests and the connection cap', () => {
  const it = serverTest(databaseTargets[0]!, {
    env: {
      ICLOOD_REQUEST_TIMEOUT_SECONDS: '1',
      // Far longer than the request timeout, so what closes a stalled header or body is the latter.
      ICLOOD_IDLE_TIMEOUT_SECONDS: '60',
      ICLOOD_MAX_CONNECTIONS: '3',
    },
    listen: true,
  });

  it('closes a connection whose headers stop half-way, with 408', async ({ server }) => {
    const socket = await openRawConnection(portOf(server));
    socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty');
    const answer = await closedByServer(socket, 1000 + GRACE_MS);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('closes a login whose JSON body stops half-way', async ({ server }) => {
    const socket = await openRawConnection(portOf(server));
    socket.write(
      'POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        'Content-Length: 200\r\n\r\n{"username":"ow',
    );
    await closedByServer(socket, 1000 + GRACE_MS);
  });

  it('closes connections past ICLOOD_MAX_CONNECTIONS as they arrive, and serves again once one ends', async ({
    server,
  }) => {
    /** A kept-alive connection that has been served once: open, idle, not stalled. */
    async function servedConnection(): Promise<{ socket: Socket; answer: string }> {
      const socket = await openRawConnection(portOf(server));
      // The first bytes of the answer, or '' when the server closes the connection unanswered.
      const answer = new Promise<string>((resolve) => {
        socket.once('data', (chunk: Buffer) => resolve(chunk.toString()));
        socket.once('close', () => resolve(''));
      });
      socket.write('GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      return { socket, answer: await answer };
    }
    const open = await Promise.all([servedConnection(), servedConnection(), servedConnection()]);
    for (const { answer } of open) expect(answer).toMatch(/^HTTP\/1\.1 200 /);

    const refused = await openRawConnection(portOf(server));
    refused.write('GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await closedByServer(refused, GRACE_MS)).toBe('');
    expect(open.every(({ socket }) => !socket.destroyed)).toBe(true);

    open[0]!.socket.destroy();
    // The server counts the closed one out once it has seen the close.
    await vi.waitFor(
      async () => {
        const again = await servedConnection();
        again.socket.destroy();
        expect(again.answer).toMatch(/^HTTP\/1\.1 200 /);
      },
      { timeout: GRACE_MS, interval: 50 },
    );
    for (const { socket } of open) socket.destroy();
  });
});
