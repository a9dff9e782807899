/**
 * @iclood/media: what a photo or video is and what it holds. The type, sniffed from the first
 * bytes; when, where and with what it was taken, read from its EXIF, HEIF boxes or QuickTime
 * atoms; and its two thumbnails, rendered by sharp, a libheif worker or one ffmpeg frame. Takes
 * paths and options; no Fastify, no environment, no SQL.
 */
export { sniffMediaType, type SniffedMediaType } from './media-sniff.js';
export {
  extractMediaMetadata,
  type MediaKind,
  type MediaMetadata,
  type TakenAtFallback,
  type TakenAtSource,
} from './media-metadata.js';
export type { MetadataValue } from './media-metadata-facts.js';
export { parseIsoTimestamp, parseUtcOffset, type LocalDate } from './media-metadata-time.js';
export {
  configureSharp,
  createThumbnailService,
  smallSize,
  DEFAULT_MAX_INPUT_PIXELS,
  PREVIEW_EDGE,
  ThumbnailSourceError,
  type ThumbnailItem,
  type ThumbnailOutcome,
  type ThumbnailService,
  type ThumbnailServiceOptions,
} from './thumbnails.js';
export { createHeifDecoder, HeifDecodeError, type DecodedPicture, type HeifDecoder } from './heic-decode.js';
export {
  createVideoFrameGrabber,
  VideoFrameError,
  type VideoFrameGrabber,
  type VideoFrameGrabberOptions,
} from './video-frame.js';
