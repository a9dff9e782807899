export { formatDuration } from './format-duration.js';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "July 2023". Month names in English, like the rest of the dashboard. */
export function monthTitle(year: number, month: number): string {
  return `${MONTHS[month - 1] ?? '?'} ${year}`;
}

/** 1.5 MB, 820 KB, 3.2 GB: decimal units, as iOS shows file sizes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  do {
    value /= 1000;
    unit += 1;
  } while (value >= 1000 && unit < units.length - 1);
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** A video's length as 0:07 or 1:02:03. */
export function formatClock(milliseconds: number): string {
  const total = Math.max(0, Math.round(milliseconds / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/**
 * The wall-clock date and time a photo was taken, where it was taken: the instant shifted by the
 * offset the camera recorded (UTC when it recorded none), with that offset shown.
 */
export function formatTakenAt(takenAt: string, offsetMinutes: number | null): string {
  const local = new Date(Date.parse(takenAt) + (offsetMinutes ?? 0) * 60_000);
  const text = local.toLocaleString('en-GB', {
    timeZone: 'UTC',
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  if (offsetMinutes === null) return `${text} (UTC, no offset recorded)`;
  const sign = offsetMinutes < 0 ? '−' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${text} (UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')})`;
}
