// The storage page's figures in words: the disk bar's parts and what a cleanup freed.
import type { CleanupResult, SystemStorage } from '@iclood/api-types';
import { formatBytes } from './format.js';
import { plural } from './household-roles.js';

export type DiskPart = 'others' | 'library' | 'thumbnails' | 'trash' | 'free';

export interface DiskSegment {
  part: DiskPart;
  label: string;
  bytes: number;
  /** Share of the disk, 0–1. */
  share: number;
}

/**
 * The disk, split in the parts the bar shows, in order: used by others, library, thumbnails,
 * trash, free. "Others" is whatever the disk holds besides iClood's own figures (the system's
 * reserve included), so the parts add up to the disk. A member's report has their own library
 * and trash only, and no thumbnails: the rest of the household counts as "everything else".
 */
export function diskSegments(storage: SystemStorage): DiskSegment[] {
  const { totalBytes, freeBytes } = storage.disk;
  const household = storage.scope === 'household';
  const thumbnails = storage.thumbnails?.bytes ?? 0;
  const ours = storage.library.bytes + storage.trash.bytes + thumbnails;
  const others = Math.max(0, totalBytes - freeBytes - ours);
  const parts: Array<[DiskPart, string, number]> = [
    ['others', household ? 'Other files' : 'Everything else', others],
    ['library', household ? 'Library' : 'Your library', storage.library.bytes],
    ...(storage.thumbnails ? [['thumbnails', 'Thumbnails', thumbnails] as [DiskPart, string, number]] : []),
    ['trash', household ? 'Trash' : 'Your trash', storage.trash.bytes],
    ['free', 'Free', freeBytes],
  ];
  const whole = Math.max(totalBytes, others + ours + freeBytes, 1);
  return parts.map(([part, label, bytes]) => ({ part, label, bytes, share: bytes / whole }));
}

/** "12 GB free of 64 GB; the library uses 5.2 GB, thumbnails 80 MB, the trash 1.1 GB; other files 40 GB." */
export function diskSentence(storage: SystemStorage): string {
  const segments = new Map(diskSegments(storage).map((segment) => [segment.part, segment.bytes]));
  const size = (part: DiskPart) => formatBytes(segments.get(part) ?? 0);
  const head = `${size('free')} free of ${formatBytes(storage.disk.totalBytes)}`;
  if (storage.scope === 'household') {
    return (
      `${head}; the library uses ${size('library')}, thumbnails ${size('thumbnails')}, ` +
      `the trash ${size('trash')}; other files ${size('others')}.`
    );
  }
  return `${head}; your library uses ${size('library')} and your trash ${size('trash')}; everything else ${size('others')}.`;
}

/** "Freed 5.2 MB: 2 items from the trash (5.0 MB), 1 unfinished upload (200 KB)…", or that nothing was freed. */
export function cleanupSentence(result: CleanupResult): string {
  const parts = [
    result.trash.items > 0
      ? `${plural(result.trash.items, 'item')} from the trash (${formatBytes(result.trash.bytes)})`
      : undefined,
    result.tempFiles.files > 0
      ? `${plural(result.tempFiles.files, 'unfinished upload')} (${formatBytes(result.tempFiles.bytes)})`
      : undefined,
    result.orphanThumbnails.files > 0
      ? `${plural(result.orphanThumbnails.files, 'leftover thumbnail')} (${formatBytes(result.orphanThumbnails.bytes)})`
      : undefined,
  ].filter((part) => part !== undefined);
  if (parts.length === 0) return 'Nothing needed cleaning up: no space was freed.';
  return `Freed ${formatBytes(result.bytesFreed)}: ${parts.join(', ')}.`;
}
