// HEIC/HEIF pictures (what iPhones take) decoded to pixels by libheif compiled to WebAssembly
// (libheif-js bundles the libde265 HEVC decoder; nothing is fetched). sharp's prebuilt libvips
// reads HEIF containers but has no HEVC decoder, so the pixels come from here and sharp does the
// rest. Decoding is seconds of synchronous WebAssembly on a Pi, so it runs on a worker thread,
// never on the event loop; the worker is ended when idle, which also gives back its WebAssembly
// heap (it grows to the largest picture decoded and never shrinks).
import { Worker } from 'node:worker_threads';
import type { DecodeReply, DecodeRequest } from './heic-decode-worker.js';

/** Decoded pixels, 8 bits per channel, rows packed, already rotated/mirrored as the file asks. */
export interface DecodedPicture {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Buffer;
}

/** The file is not a HEIF picture libheif can decode (corrupt, truncated, no primary image, too big). */
export class HeifDecodeError extends Error {
  override readonly name = 'HeifDecodeError';
}

export interface HeifDecoder {
  /**
   * Decodes the primary picture of the HEIF file at `path` (HEIC from an iPhone: a grid of HEVC
   * tiles) to 8-bit RGB, or RGBA when it has an alpha channel. `irot`/`imir`/`clap` are applied
   * as the format asks, so the EXIF orientation inside the file must NOT be applied again (it
   * describes the same rotation). A picture over `maxPixels`, or a file over `maxBytes`, is
   * refused before it is decoded. libheif reads from memory: the worker holds the file's bytes
   * (a few MB for a phone photo) while it decodes. Calls are served one at a time.
   *
   * @throws HeifDecodeError when the bytes are not a decodable HEIF picture
   */
  decode(path: string, limits: { maxPixels: number; maxBytes: number }): Promise<DecodedPicture>;
  /** Ends the worker; a later `decode` starts a new one. */
  close(): Promise<void>;
}

/** An idle worker is ended after this long. */
const IDLE_MS = 30_000;

/**
 * The worker's compiled file, beside this one in dist/ (the package is always run built: its
 * `exports` point at dist/). Its own tests that decode run the built package for that reason.
 */
const WORKER_URL = new URL('./heic-decode-worker.js', import.meta.url);

/**
 * @example
 * const heif = createHeifDecoder();
 * const { width, height, channels, data } = await heif.decode(path, { maxPixels: 100e6, maxBytes: 256e6 });
 * sharp(data, { raw: { width, height, channels } });
 */
export function createHeifDecoder(): HeifDecoder {
  let worker: Worker | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  let pending:
    { id: number; resolve: (reply: DecodeReply) => void; reject: (error: Error) => void } | undefined;

  const spawnWorker = (): Worker => {
    const spawned = new Worker(WORKER_URL);
    spawned.on('message', (reply: DecodeReply) => {
      if (pending?.id === reply.id) pending.resolve(reply);
    });
    const fail = (error: Error) => {
      if (worker === spawned) worker = undefined;
      pending?.reject(error);
    };
    spawned.on('error', fail);
    spawned.on('exit', (code) => fail(new Error(`the HEIF decoding worker exited (${code})`)));
    return spawned;
  };

  const decodeNow = async (path: string, limits: { maxPixels: number; maxBytes: number }) => {
    clearTimeout(idleTimer);
    worker ??= spawnWorker();
    const current = worker;
    current.ref();
    const id = nextId++;
    try {
      const reply = await new Promise<DecodeReply>((resolve, reject) => {
        pending = { id, resolve, reject };
        current.postMessage({ id, path, ...limits } satisfies DecodeRequest);
      });
      if (reply.error) {
        if (reply.error.kind === 'decode') throw new HeifDecodeError(reply.error.message);
        throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
      }
      const picture = reply.picture!;
      const data = Buffer.from(picture.data.buffer, picture.data.byteOffset, picture.data.byteLength);
      return { width: picture.width, height: picture.height, channels: picture.channels, data };
    } finally {
      pending = undefined;
      if (worker === current) {
        current.unref();
        idleTimer = setTimeout(() => {
          if (worker === current) worker = undefined;
          void current.terminate();
        }, IDLE_MS);
        idleTimer.unref();
      }
    }
  };

  return {
    decode(path, limits) {
      const result = queue.then(() => decodeNow(path, limits));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      clearTimeout(idleTimer);
      await queue;
      const current = worker;
      worker = undefined;
      if (current) await current.terminate();
    },
  };
}
