// HEIC/HEIF pictures (what iPhones take) decoded to pixels by libheif compiled to WebAssembly
// (libheif-js bundles the libde265 HEVC decoder; nothing is fetched). sharp's prebuilt libvips
// reads HEIF containers but has no HEVC decoder, so the pixels come from here and sharp does the
// rest. Decoding is seconds of synchronous WebAssembly on a Pi, so it runs on a worker thread,
// never on the event loop; the worker is ended when idle, which also gives back its WebAssembly
// heap (it grows to the largest picture decoded and never shrinks).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

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

// Plain CommonJS for `eval`: a worker file would not exist when tests run the TypeScript sources.
// libheif-js's embind API: errors come back as { code, message } objects, handles as objects.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, fstatSync, readSync, closeSync } = require('node:fs');
let lib;
class DecodeError extends Error {}
const isError = (value) => value && typeof value.message === 'string';
function readWhole(path, maxBytes) {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) throw new DecodeError('the file is ' + size + ' bytes, over ' + maxBytes);
    const bytes = Buffer.allocUnsafe(size);
    let offset = 0;
    while (offset < size) {
      const read = readSync(fd, bytes, offset, size - offset, offset);
      if (read === 0) break;
      offset += read;
    }
    return bytes.subarray(0, offset);
  } finally {
    closeSync(fd);
  }
}
async function decode({ path, maxPixels, maxBytes }) {
  if (!lib) {
    lib = require(workerData.libheifPath);
    await lib.ready;
  }
  const bytes = readWhole(path, maxBytes);
  const context = lib.heif_context_alloc();
  if (!context) throw new Error('libheif could not allocate a context');
  let handle;
  try {
    const read = lib.heif_context_read_from_memory(context, bytes);
    if (read.code !== lib.heif_error_code.heif_error_Ok) throw new DecodeError('not a readable HEIF file: ' + read.message);
    const primary = lib.heif_js_context_get_primary_image_handle(context);
    if (isError(primary)) throw new DecodeError('no primary picture: ' + primary.message);
    handle = primary;
    const width = lib.heif_image_handle_get_width(handle);
    const height = lib.heif_image_handle_get_height(handle);
    if (!(width > 0 && height > 0)) throw new DecodeError('the picture has no size');
    if (width * height > maxPixels) {
      throw new DecodeError('the picture is ' + width + 'x' + height + ', over the limit of ' + maxPixels + ' pixels');
    }
    const channels = lib.heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
    const chroma = channels === 4 ? lib.heif_chroma.heif_chroma_interleaved_RGBA : lib.heif_chroma.heif_chroma_interleaved_RGB;
    const decoded = await lib.heif_js_decode_image2(handle, lib.heif_colorspace.heif_colorspace_RGB, chroma);
    if (!decoded || isError(decoded) || !Array.isArray(decoded.channels)) {
      throw new DecodeError('the picture could not be decoded: ' + (isError(decoded) ? decoded.message : 'no pixels'));
    }
    try {
      const plane = decoded.channels[0];
      if (!plane || plane.width !== width || plane.height !== height) throw new DecodeError('the decoded picture does not have the size the file states');
      // Copied out of the WebAssembly heap (a view the next decode reuses), rows unpadded.
      const rowBytes = width * channels;
      const packed = new Uint8Array(new ArrayBuffer(rowBytes * height));
      for (let row = 0; row < height; row++) {
        packed.set(plane.data.subarray(row * plane.stride, row * plane.stride + rowBytes), row * rowBytes);
      }
      return { width, height, channels, data: packed };
    } finally {
      lib.heif_image_release(decoded.image);
    }
  } finally {
    if (handle) lib.heif_image_handle_release(handle);
    lib.heif_context_free(context);
  }
}
parentPort.on('message', async (request) => {
  try {
    const picture = await decode(request);
    parentPort.postMessage({ id: request.id, picture }, [picture.data.buffer]);
  } catch (error) {
    const code = error && typeof error.code === 'string' ? error.code : undefined;
    // Anything but the file system failing is about the picture (libheif, or a WebAssembly trap).
    const kind = code && /^E[A-Z]+$/.test(code) ? 'system' : 'decode';
    parentPort.postMessage({ id: request.id, error: { kind, code, message: String((error && error.message) || error) } });
  }
});
`;

interface WorkerReply {
  id: number;
  picture?: { width: number; height: number; channels: 3 | 4; data: Uint8Array };
  error?: { kind: 'system' | 'decode'; code?: string; message: string };
}

/** An idle worker is ended after this long. */
const IDLE_MS = 30_000;

/**
 * @example
 * const heif = createHeifDecoder();
 * const { width, height, channels, data } = await heif.decode(path, { maxPixels: 100e6, maxBytes: 256e6 });
 * sharp(data, { raw: { width, height, channels } });
 */
export function createHeifDecoder(): HeifDecoder {
  const libheifPath = createRequire(import.meta.url).resolve('libheif-js/wasm-bundle');
  let worker: Worker | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  let pending:
    { id: number; resolve: (reply: WorkerReply) => void; reject: (error: Error) => void } | undefined;

  const spawnWorker = (): Worker => {
    const spawned = new Worker(WORKER_SOURCE, { eval: true, workerData: { libheifPath } });
    spawned.on('message', (reply: WorkerReply) => {
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
      const reply = await new Promise<WorkerReply>((resolve, reject) => {
        pending = { id, resolve, reject };
        current.postMessage({ id, path, ...limits });
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
