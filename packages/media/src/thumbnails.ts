// The two renditions of every item (THUMBNAIL_SIZES): `small` for grid cells and `preview` for
// full screen, WebP, made with sharp (libvips). One decode per item: the original is read once,
// shrunk on load to the preview, and the small one is resized from those pixels.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Sharp, SharpConstructor } from 'sharp';
import { resolveInsideLibrary, thumbnailPath, type ThumbnailSize } from '@iclood/storage';
import { createHeifDecoder } from './heic-decode.js';
import { createVideoFrameGrabber, type VideoFrameGrabber } from './video-frame.js';

/** Long edge of `preview`; `small` is 256 on its short edge, at most 768 on its long edge. */
export const PREVIEW_EDGE = 1440;
export const SMALL_SHORT_EDGE = 256;
export const SMALL_LONG_EDGE_MAX = 768;
/** 100 MP: a 48 MP iPhone photo and a 60+ MP panorama pass; a decompression bomb does not. */
export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;
/** libheif decodes from memory; a HEIC this large is not a phone photo. */
const MAX_HEIF_BYTES = 256 * 1024 * 1024;

const WEBP = { preview: { quality: 80, effort: 4 }, small: { quality: 75, effort: 4 } } as const;

const HEIF_MIMES = new Set(['image/heic', 'image/heif', 'image/heic-sequence', 'image/heif-sequence']);
/** What libvips as shipped with sharp decodes (AVIF included: its AV1 decoder is built in). */
const SHARP_MIMES = new Set([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/tiff',
  'image/avif',
]);

/**
 * The original cannot be turned into a picture (corrupt, truncated, over the pixel limit).
 * Trying again cannot help: the job ends at once and the item is marked `failed`.
 */
export class ThumbnailSourceError extends Error {
  override readonly name = 'ThumbnailSourceError';
  readonly code = 'THUMBNAIL_SOURCE_UNREADABLE';
  readonly retryable = false;
}

/** `ready`: both files written. `unsupported`: no decoder here for this kind of file. */
export type ThumbnailOutcome = 'ready' | 'unsupported';

/** The item, as the thumbnail job knows it. */
export interface ThumbnailItem {
  id: string;
  rel_path: string;
  media_type: 'photo' | 'video';
  mime: string;
  duration_ms: number | null;
}

export interface ThumbnailServiceOptions {
  libraryDir: string;
  thumbsDir: string;
  /** Pictures larger than this are refused before decoding (default 100 MP). */
  maxInputPixels?: number;
  /** The ffmpeg binary for video frames (default `ffmpeg` on PATH). */
  ffmpegPath?: string;
  /** Killed after this long (default 60 s). */
  videoTimeoutMs?: number;
}

export interface ThumbnailService {
  /** Writes `small` and `preview` for an item, each atomically (temp file, then rename). */
  render(item: ThumbnailItem): Promise<ThumbnailOutcome>;
  /** Whether video frames can be grabbed (ffmpeg found), asked once per service. */
  videoSupported(): Promise<boolean>;
  /** Where temp files are written; anything left there by a crash can be removed at start. */
  readonly tempDir: string;
  /** Ends the HEIF decoding worker; call after the last render. */
  close(): Promise<void>;
}

type SharpFunction = SharpConstructor;

let sharpThreads: number | undefined;
let sharpLoading: Promise<SharpFunction> | undefined;

/**
 * sharp, loaded at the first picture rather than with this module: libvips is ~20 MB resident
 * (bench/memory), which a server that has nothing to thumbnail since it started (a Pi most of the
 * time) need not hold.
 */
function loadSharp(): Promise<SharpFunction> {
  sharpLoading ??= import('sharp').then(({ default: sharp }) => {
    sharp.cache(false);
    if (sharpThreads !== undefined) sharp.concurrency(sharpThreads);
    return sharp;
  });
  return sharpLoading;
}

/**
 * Process-wide sharp settings for a small machine: no operation cache (every original is seen
 * once, the cache would only hold memory) and `threads` libvips threads per picture. Applied when
 * sharp loads, or at once if it has.
 */
export function configureSharp(threads: number): void {
  sharpThreads = threads;
  void sharpLoading?.then((sharp) => sharp.concurrency(threads));
}

/** Size of `small` for a picture of width × height: short edge 256, long edge ≤ 768, never enlarged. */
export function smallSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(
    1,
    SMALL_SHORT_EDGE / Math.min(width, height),
    SMALL_LONG_EDGE_MAX / Math.max(width, height),
  );
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Node's own I/O failures (`EIO`, `ENOSPC`, `EMFILE`…) may pass; anything else is the picture. */
function isSystemError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/**
 * @example
 * const thumbnails = createThumbnailService({ libraryDir, thumbsDir: layout.thumbsDir });
 * await thumbnails.render(item); // 'ready' | 'unsupported'
 */
export function createThumbnailService(options: ThumbnailServiceOptions): ThumbnailService {
  const { libraryDir, thumbsDir } = options;
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const tempDir = join(thumbsDir, '.tmp');
  const heif = createHeifDecoder();
  const frames: VideoFrameGrabber = createVideoFrameGrabber({
    ffmpegPath: options.ffmpegPath,
    timeoutMs: options.videoTimeoutMs,
    maxEdge: PREVIEW_EDGE,
  });

  /** The preview-sized pixels, rotated upright, 8-bit sRGB (alpha kept when there is one). */
  async function previewPixels(input: Sharp) {
    return input
      .rotate()
      .resize(PREVIEW_EDGE, PREVIEW_EDGE, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  }

  async function write(item: ThumbnailItem, pixels: Awaited<ReturnType<typeof previewPixels>>) {
    const sharp = await loadSharp();
    const { data, info } = pixels;
    const raw = {
      raw: { width: info.width, height: info.height, channels: info.channels as 1 | 2 | 3 | 4 },
    };
    const small = smallSize(info.width, info.height);
    const renditions: Array<{ size: ThumbnailSize; image: Sharp }> = [
      { size: 'preview', image: sharp(data, raw).webp(WEBP.preview) },
      {
        size: 'small',
        image: sharp(data, raw).resize(small.width, small.height, { fit: 'fill' }).webp(WEBP.small),
      },
    ];
    await mkdir(tempDir, { recursive: true });
    const temps = renditions.map(({ size }) => join(tempDir, `${item.id}-${size}.${randomUUID()}.tmp`));
    try {
      await Promise.all(renditions.map(({ image }, index) => image.toFile(temps[index]!)));
      for (const [index, { size }] of renditions.entries()) {
        const target = thumbnailPath(thumbsDir, item.id, size);
        await mkdir(dirname(target), { recursive: true });
        await rename(temps[index]!, target);
      }
    } finally {
      await Promise.all(temps.map((temp) => rm(temp, { force: true })));
    }
  }

  async function decodeToPreview(item: ThumbnailItem, path: string) {
    const sharp = await loadSharp();
    const limits = { limitInputPixels: maxInputPixels, failOn: 'error' as const };
    if (HEIF_MIMES.has(item.mime)) {
      const picture = await heif.decode(path, { maxPixels: maxInputPixels, maxBytes: MAX_HEIF_BYTES });
      // libheif already applied the container's rotation; the pixels carry no EXIF to re-apply.
      const input = sharp(picture.data, {
        raw: { width: picture.width, height: picture.height, channels: picture.channels },
        limitInputPixels: maxInputPixels,
      });
      return previewPixels(input);
    }
    if (item.media_type === 'video') {
      const frame = await frames.grabFrame(path, { durationMs: item.duration_ms });
      return previewPixels(sharp(frame, limits));
    }
    // sharp reads the file itself, a strip at a time; JPEGs are shrunk while they are decoded.
    return previewPixels(sharp(path, limits));
  }

  return {
    tempDir,
    videoSupported: () => frames.available(),
    close: () => heif.close(),

    async render(item) {
      if (item.media_type === 'video') {
        if (!(await frames.available())) return 'unsupported';
      } else if (!HEIF_MIMES.has(item.mime) && !SHARP_MIMES.has(item.mime)) {
        // RAW formats and the like: libvips as shipped cannot develop them.
        return 'unsupported';
      }
      const path = resolveInsideLibrary(libraryDir, item.rel_path);
      let pixels;
      try {
        pixels = await decodeToPreview(item, path);
      } catch (error) {
        if (isSystemError(error)) throw error;
        const reason = error instanceof Error ? error.message : String(error);
        throw new ThumbnailSourceError(`${item.mime} could not be decoded: ${reason}`, { cause: error });
      }
      await write(item, pixels);
      return 'ready';
    },
  };
}
