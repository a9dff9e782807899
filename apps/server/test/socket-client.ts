// Uploads over a real 127.0.0.1 socket, for what app.inject cannot show: bodies streamed from a
// generator (never held whole), clients that go silent, Node's own timeouts and connection cap.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface Answer {
  status: number;
  body: { data?: Record<string, unknown>; error?: { code: string } };
}

/** POSTs a streamed body (Content-Length given when known) and resolves with the parsed answer. */
export function postStreamed(
  url: string,
  headers: Record<string, string | number>,
  body: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', headers });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
      });
    });
    outgoing.on('error', reject);
    Readable.from(body).pipe(outgoing);
  });
}

/** Yields `source`'s chunks and hashes them on the way: what the client sent, without keeping it. */
export function hashedAsSent(source: Iterable<Uint8Array>) {
  const hash = createHash('sha256');
  let bytes = 0;
  return {
    *chunks() {
      for (const chunk of source) {
        hash.update(chunk);
        bytes += chunk.byteLength;
        yield chunk;
      }
    },
    result: () => ({ sha256: hash.digest('hex'), bytes }),
  };
}

/** A multipart form around a streamed file: the fields, the file part's header, its bytes, the end. */
export function multipartAround(
  fields: Record<string, string>,
  file: { name: string; size: number; chunks: Iterable<Uint8Array> },
  boundary = 'iclood-stream-boundary',
) {
  const head = Buffer.from(
    Object.entries(fields)
      .map(
        ([name, value]) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      )
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + file.size + tail.length,
    head,
    tail,
    *chunks() {
      yield head;
      yield* file.chunks;
      yield tail;
    },
  };
}

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** A raw TCP connection to the server, for writing exactly the bytes a test wants and then stopping. */
export async function openRawConnection(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined); // a reset by the server is what some tests wait for
  return socket;
}

/**
 * Resolves with what the server sent before it closed the connection, or rejects if it is still
 * open after `withinMs`.
 */
export function closedByServer(socket: Socket, withinMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const timer = setTimeout(() => reject(new Error(`still open after ${withinMs} ms`)), withinMs);
    const done = () => {
      clearTimeout(timer);
      resolve(received);
    };
    if (socket.destroyed) done();
    else socket.once('close', done);
  });
}
