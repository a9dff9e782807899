import type { MediaSummary } from '@iclood/api-types';
import { getMediaSummary } from './api.js';
import { formatBytes } from './format.js';

/** What a restore of one selection would hold (`GET /media/summary`). */
export type RestoreSummary = MediaSummary;

/** A restore selection as the form posts it: a taken-date range (plain dates, either end open) or an album. */
export type RestoreSelection = { kind: 'dates'; from: string; to: string } | { kind: 'album'; album: string };

/** The form fields (and summary query) of a selection, only those with a value. */
export function selectionFields(selection: RestoreSelection): Record<string, string> {
  if (selection.kind === 'album') return { album: selection.album };
  const fields: Record<string, string> = {};
  if (selection.from) fields.from = selection.from;
  if (selection.to) fields.to = selection.to;
  return fields;
}

export const getRestoreSummary = (selection: RestoreSelection): Promise<RestoreSummary> =>
  getMediaSummary(selectionFields(selection));

const plural = (count: number, one: string, many: string) =>
  `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;

function shortDate(instant: string): string {
  return new Date(instant).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

/** "248 items (230 photos, 18 videos), 1.9 GB, taken 3 Mar 2021 – 30 Aug 2022". */
export function describeRestoreSummary(summary: RestoreSummary): string {
  if (summary.count === 0) return 'No items';
  const kinds = [
    summary.photos > 0 ? plural(summary.photos, 'photo', 'photos') : '',
    summary.videos > 0 ? plural(summary.videos, 'video', 'videos') : '',
  ].filter(Boolean);
  let text = `${plural(summary.count, 'item', 'items')} (${kinds.join(', ')}), ${formatBytes(summary.bytes)}`;
  if (summary.takenFrom && summary.takenTo) {
    const from = shortDate(summary.takenFrom);
    const to = shortDate(summary.takenTo);
    text += from === to ? `, taken ${from}` : `, taken ${from} – ${to}`;
  }
  return text;
}
