// The worker thread of `createHeifDecoder` (heic-decode.ts): loads libheif (WebAssembly) on the
// first request and decodes one picture per message. Compiled beside heic-decode.js, which starts
// it from there. libheif-js's embind API answers errors as { code, message } objects and handles
// as objects, so every result is checked before it is used.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';

export interface DecodeRequest {
  id: number;
  path: string;
  maxPixels: number;
  maxBytes: number;
}

export interface DecodeReply {
  id: number;
  picture?: { width: number; height: number; channels: 3 | 4; data: Uint8Array<ArrayBuffer> };
  error?: { kind: 'system' | 'decode'; code?: string; message: string };
}

/** The part of libheif-js's API used here (the package ships no types for its wasm bundle). */
interface Libheif {
  ready: Promise<unknown>;
  heif_context_alloc(): object | null;
  heif_context_free(context: object): void;
  heif_context_read_from_memory(context: object, bytes: Uint8Array): { code: number; message: string };
  heif_js_context_get_primary_image_handle(context: object): object;
  heif_image_handle_get_width(handle: object): number;
  heif_image_handle_get_height(handle: object): number;
  heif_image_handle_has_alpha_channel(handle: object): number;
  heif_image_handle_release(handle: object): void;
  heif_js_decode_image2(handle: object, colorspace: unknown, chroma: unknown): Promise<unknown>;
  heif_image_release(image: unknown): void;
  heif_error_code: { heif_error_Ok: number };
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGB: unknown; heif_chroma_interleaved_RGBA: unknown };
}

interface DecodedImage {
  image: unknown;
  channels: Array<{ width: number; height: number; stride: number; data: Uint8Array }>;
}

/** The bytes are not a picture libheif can decode; anything else is the file system failing. */
class DecodeError extends Error {}

let lib: Libheif | undefined;

const isError = (value: unknown): value is { message: string } =>
  typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';

function readWhole(path: string, maxBytes: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) throw new DecodeError(`the file is ${size} bytes, over ${maxBytes}`);
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

async function decode({
  path,
  maxPixels,
  maxBytes,
}: DecodeRequest): Promise<NonNullable<DecodeReply['picture']>> {
  if (!lib) {
    lib = createRequire(import.meta.url)('libheif-js/wasm-bundle') as Libheif;
    await lib.ready;
  }
  const heif = lib;
  const bytes = readWhole(path, maxBytes);
  const context = heif.heif_context_alloc();
  if (!context) throw new Error('libheif could not allocate a context');
  let handle: object | undefined;
  try {
    const read = heif.heif_context_read_from_memory(context, bytes);
    if (read.code !== heif.heif_error_code.heif_error_Ok) {
      throw new DecodeError(`not a readable HEIF file: ${read.message}`);
    }
    const primary = heif.heif_js_context_get_primary_image_handle(context);
    if (isError(primary)) throw new DecodeError(`no primary picture: ${primary.message}`);
    handle = primary;
    const width = heif.heif_image_handle_get_width(handle);
    const height = heif.heif_image_handle_get_height(handle);
    if (!(width > 0 && height > 0)) throw new DecodeError('the picture has no size');
    if (width * height > maxPixels) {
      throw new DecodeError(`the picture is ${width}x${height}, over the limit of ${maxPixels} pixels`);
    }
    const channels = heif.heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
    const chroma =
      channels === 4
        ? heif.heif_chroma.heif_chroma_interleaved_RGBA
        : heif.heif_chroma.heif_chroma_interleaved_RGB;
    const decoded = (await heif.heif_js_decode_image2(
      handle,
      heif.heif_colorspace.heif_colorspace_RGB,
      chroma,
    )) as DecodedImage | { message: string } | null;
    if (!decoded || isError(decoded) || !Array.isArray(decoded.channels)) {
      throw new DecodeError(
        `the picture could not be decoded: ${isError(decoded) ? decoded.message : 'no pixels'}`,
      );
    }
    try {
      const plane = decoded.channels[0];
      if (!plane || plane.width !== width || plane.height !== height) {
        throw new DecodeError('the decoded picture does not have the size the file states');
      }
      // Copied out of the WebAssembly heap (a view the next decode reuses), rows unpadded.
      const rowBytes = width * channels;
      const packed = new Uint8Array(new ArrayBuffer(rowBytes * height));
      for (let row = 0; row < height; row++) {
        packed.set(plane.data.subarray(row * plane.stride, row * plane.stride + rowBytes), row * rowBytes);
      }
      return { width, height, channels, data: packed };
    } finally {
      heif.heif_image_release(decoded.image);
    }
  } finally {
    if (handle) heif.heif_image_handle_release(handle);
    heif.heif_context_free(context);
  }
}

const port = parentPort;
if (!port) throw new Error('heic-decode-worker runs as a worker thread (see createHeifDecoder)');
port.on('message', (request: DecodeRequest) => {
  void decode(request).then(
    (picture) => port.postMessage({ id: request.id, picture } satisfies DecodeReply, [picture.data.buffer]),
    (error: unknown) => {
      const code = (error as { code?: unknown } | null)?.code;
      const systemCode = typeof code === 'string' ? code : undefined;
      // Anything but the file system failing is about the picture (libheif, or a WebAssembly trap).
      const kind = systemCode && /^E[A-Z]+$/.test(systemCode) ? 'system' : 'decode';
      const message = String((isError(error) && error.message) || error);
      port.postMessage({ id: request.id, error: { kind, code: systemCode, message } } satisfies DecodeReply);
    },
  );
});
