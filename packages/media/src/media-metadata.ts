// When, where and with what a photo or video was taken, read from the uploaded file itself: the
// date picks the library folder (<user>/<YYYY>/<MM>, by LOCAL date taken), the rest fills the
// media row. Reads only headers and metadata blocks, never the picture or the video's media data.
import type { MediaFacts, MetadataValue } from './media-metadata-facts.js';
import { emptyFacts } from './media-metadata-facts.js';
import { RandomAccessFile } from './media-metadata-file.js';
import { readPhotoFacts } from './media-metadata-photo.js';
import { readQuickTimeFacts } from './media-metadata-quicktime.js';
import {
  captureFromInstant,
  isPlausibleCaptureTime,
  type CaptureTime,
  type LocalDate,
} from './media-metadata-time.js';

export type TakenAtSource = 'exif' | 'quicktime' | 'client' | 'upload-time';

export interface MediaMetadata {
  /**
   * The capture instant. When `takenAtOffsetMinutes` is null and the source is `exif`, the zone
   * was not recorded: this is the camera's wall clock read as if it were UTC (the local date,
   * and so the folder, is still right; the instant may be off by the unknown offset).
   */
  takenAt: Date;
  /** Minutes east of UTC on the camera's clock at capture (+60 for +01:00); null when unknown. */
  takenAtOffsetMinutes: number | null;
  /** The calendar date on the camera's clock: picks `<YYYY>/<MM>`. UTC's date when no zone is known. */
  takenAtLocal: LocalDate;
  takenAtSource: TakenAtSource;
  /** As stored, before `orientation` is applied. */
  width: number | null;
  height: number | null;
  /** EXIF orientation 1..8; for videos, the track matrix's rotation expressed the same way (90° → 6). */
  orientation: number | null;
  durationMs: number | null;
  latitude: number | null;
  longitude: number | null;
  cameraMake: string | null;
  cameraModel: string | null;
  /** A small JSON-safe subset worth keeping: lens, ISO, exposure, software, altitude, rotation… */
  metadata: Record<string, MetadataValue>;
  /** Why something was not read (corrupt tags, unknown container); for logs, never for clients. */
  warnings: string[];
}

export interface MediaKind {
  mediaType: 'photo' | 'video';
  mime: string;
}

export interface TakenAtFallback {
  /** The client's own idea of the capture time (the upload's `createdAt`), when it sent one. */
  clientCreatedAt?: Date;
  /** The zone offset the client's `createdAt` string carried, if the route kept it. */
  clientCreatedAtOffsetMinutes?: number | null;
  /** The server's clock; also the bound for plausible dates. */
  now: Date;
}

function resolveTakenAt(
  facts: MediaFacts,
  fallback: TakenAtFallback,
  warnings: string[],
): { time: CaptureTime; source: TakenAtSource } {
  for (const candidate of facts.captureCandidates) {
    if (isPlausibleCaptureTime(candidate.time.takenAt, fallback.now)) {
      return { time: candidate.time, source: candidate.source };
    }
    warnings.push(`${candidate.tag} date is before 1970 or in the future; ignored`);
  }
  const client = fallback.clientCreatedAt;
  if (client !== undefined) {
    if (isPlausibleCaptureTime(client, fallback.now)) {
      return {
        time: captureFromInstant(client, fallback.clientCreatedAtOffsetMinutes ?? null),
        source: 'client',
      };
    }
    warnings.push('client createdAt is before 1970 or in the future; ignored');
  }
  return { time: captureFromInstant(fallback.now, null), source: 'upload-time' };
}

async function readFacts(filePath: string, kind: MediaKind): Promise<MediaFacts> {
  let file: RandomAccessFile | undefined;
  try {
    file = await RandomAccessFile.open(filePath);
    // AVI and MKV have no reader: they fall through to the client's date, as the issue asks.
    if (kind.mediaType === 'video') return await readQuickTimeFacts(file);
    return await readPhotoFacts(file);
  } catch (error) {
    const facts = emptyFacts();
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // File paths stay out of warnings; fs errors carry theirs in the message.
    facts.warnings.push(`metadata unreadable (${reason.replace(filePath, '<file>')})`);
    return facts;
  } finally {
    await file?.close().catch(() => {});
  }
}

/**
 * Reads the capture date, size, orientation, duration, place and camera of an uploaded file.
 * Photos: EXIF DateTimeOriginal + OffsetTimeOriginal (then CreateDate). Videos: QuickTime
 * `com.apple.quicktime.creationdate`, then `©day`, then `mvhd` creation time. Then the client's
 * `createdAt`, then `now`. Dates before 1970 or over a day ahead of `now` count as missing.
 *
 * Never rejects: a corrupt, truncated or unknown file yields the fallbacks and a warning.
 *
 * @example
 * const meta = await extractMediaMetadata(tempPath, { mediaType: 'photo', mime: 'image/heic' }, { now: new Date() });
 * const folder = `${meta.takenAtLocal.year}/${String(meta.takenAtLocal.month).padStart(2, '0')}`;
 */
export async function extractMediaMetadata(
  filePath: string,
  kind: MediaKind,
  fallback: TakenAtFallback,
): Promise<MediaMetadata> {
  const facts = await readFacts(filePath, kind);
  const warnings = [...facts.warnings];
  const { time, source } = resolveTakenAt(facts, fallback, warnings);
  return {
    takenAt: time.takenAt,
    takenAtOffsetMinutes: time.offsetMinutes,
    takenAtLocal: time.local,
    takenAtSource: source,
    width: facts.width,
    height: facts.height,
    orientation: facts.orientation,
    durationMs: kind.mediaType === 'video' ? facts.durationMs : null,
    latitude: facts.latitude,
    longitude: facts.longitude,
    cameraMake: facts.cameraMake,
    cameraModel: facts.cameraModel,
    metadata: facts.metadata,
    warnings,
  };
}
