import { statfs } from 'node:fs/promises';
import { StorageError } from './errors.js';

/** Space on the filesystem holding a folder, in bytes, as an unprivileged process sees it. */
export interface DiskUsage {
  totalBytes: number;
  /** Available to this process (`bavail`), which excludes the blocks ext4 reserves for root. */
  freeBytes: number;
  usedBytes: number;
}

/**
 * Total, free and used space of the filesystem holding `dir` (`statfs`).
 *
 * @example
 * const { freeBytes } = await diskUsage('/library');
 */
export async function diskUsage(dir: string): Promise<DiskUsage> {
  const stats = await statfs(dir);
  return {
    totalBytes: stats.blocks * stats.bsize,
    freeBytes: stats.bavail * stats.bsize,
    usedBytes: (stats.blocks - stats.bfree) * stats.bsize,
  };
}

/** Bytes in a short human unit for error messages: `1.5 GiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * Refuses an upload of a known size (`Content-Length`) before any byte is written when it would
 * leave less than `minFreeBytes` free on the filesystem holding `dir`.
 *
 * @returns the disk usage it measured, for logging
 * @throws StorageError `STORAGE_FULL` naming the free and needed space
 * @example
 * await assertFreeSpace(layout.libraryTmpDir, { incomingBytes: contentLength, minFreeBytes: config.minFreeBytes });
 */
export async function assertFreeSpace(
  dir: string,
  options: { incomingBytes: number; minFreeBytes: number },
): Promise<DiskUsage> {
  const usage = await diskUsage(dir);
  const needed = options.incomingBytes + options.minFreeBytes;
  if (usage.freeBytes < needed) {
    throw new StorageError(
      'STORAGE_FULL',
      `not enough free space: ${formatBytes(usage.freeBytes)} (${usage.freeBytes} bytes) free, ` +
        `${formatBytes(needed)} (${needed} bytes) needed for ${formatBytes(options.incomingBytes)} ` +
        `plus the ${formatBytes(options.minFreeBytes)} kept free`,
    );
  }
  return usage;
}
