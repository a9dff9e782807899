import type { MediaDetail, MediaListItem, TrashItem } from '@iclood/api-types';
import type { MediaDetailRow, MediaListRow, TrashRow } from '@iclood/db';

const DAY_MS = 86_400_000;

/** A grid cell: the display name when the user gave one, else the original file name. */
export function toMediaListItem(row: MediaListRow): MediaListItem {
  return {
    id: row.id,
    type: row.media_type,
    name: row.display_name ?? row.original_name,
    takenAt: row.taken_at.toISOString(),
    takenAtOffsetMinutes: row.taken_at_offset_minutes,
    uploadedAt: row.uploaded_at.toISOString(),
    size: row.size,
    mime: row.mime,
    width: row.width,
    height: row.height,
    orientation: row.orientation,
    durationMs: row.duration_ms,
    favorite: row.favorite,
    thumbnail: row.thumbnail_status,
  };
}

/** Everything known about one item; the library path is relative, never absolute. */
export function toMediaDetail(row: MediaDetailRow): MediaDetail {
  return {
    ...toMediaListItem(row),
    sha256: row.sha256,
    originalName: row.original_name,
    displayName: row.display_name,
    relPath: row.rel_path,
    modifiedAt: row.modified_at?.toISOString() ?? null,
    cameraMake: row.camera_make,
    cameraModel: row.camera_model,
    latitude: row.latitude,
    longitude: row.longitude,
    metadata: row.metadata,
    localId: row.local_id,
    originalPath: row.original_path,
    deviceId: row.device_id,
    sessionId: row.session_id,
    trashedAt: row.trashed_at?.toISOString() ?? null,
    albums: row.albums,
  };
}

/** When an item trashed at `trashedAt` is purged: ICLOOD_TRASH_DAYS later (0: at the next run). */
export function trashPurgeAt(trashedAt: Date, trashDays: number): Date {
  return new Date(trashedAt.getTime() + trashDays * DAY_MS);
}

/** A trash cell: a grid cell plus when it was deleted and when it goes for good. */
export function toTrashItem(row: TrashRow, trashDays: number): TrashItem {
  return {
    ...toMediaListItem(row),
    trashedAt: row.trashed_at.toISOString(),
    purgeAt: trashPurgeAt(row.trashed_at, trashDays).toISOString(),
  };
}
