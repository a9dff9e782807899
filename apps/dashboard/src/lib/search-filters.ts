/**
 * The search page's filters as they live in its URL (`/search?q=&type=&from=&to=&device=&album=`),
 * so a reload, back/forward and a shared link all bring the same search back.
 */
import type { MediaListQuery } from '@iclood/api-types';

export type SearchType = '' | 'photo' | 'video';

export interface SearchFilters {
  /** Part of a file name, a given name or an album name. */
  q: string;
  type: SearchType;
  /** Plain dates (YYYY-MM-DD), local calendar days; `to` is included. */
  from: string;
  to: string;
  device: string;
  album: string;
}

export const NO_FILTERS: SearchFilters = { q: '', type: '', from: '', to: '', device: '', album: '' };

const FIELDS = ['q', 'type', 'from', 'to', 'device', 'album'] as const;
const MAX_QUERY_LENGTH = 200;
const PLAIN_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The filters a query string holds; unknown parameters are ignored, odd values kept for `filterProblems`. */
export function readFilters(params: URLSearchParams): SearchFilters {
  const type = params.get('type') ?? '';
  return {
    q: params.get('q') ?? '',
    type: type === 'photo' || type === 'video' ? type : '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    device: params.get('device') ?? '',
    album: params.get('album') ?? '',
  };
}

/** `?q=…&type=…` with the filters that are set, in a stable order; '' for none. */
export function writeFilters(filters: SearchFilters): string {
  const params = new URLSearchParams();
  for (const field of FIELDS) {
    const value = field === 'q' ? filters.q.trim() : filters[field];
    if (value !== '') params.set(field, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function hasFilters(filters: SearchFilters): boolean {
  return writeFilters(filters) !== '';
}

function isCalendarDate(text: string): boolean {
  const match = PLAIN_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** What is wrong with the filters, in words; empty when the search can run. */
export function filterProblems(filters: SearchFilters): string[] {
  const problems: string[] = [];
  if (filters.q.trim().length > MAX_QUERY_LENGTH) {
    problems.push(`The search text is too long: at most ${MAX_QUERY_LENGTH} characters.`);
  }
  const fromValid = filters.from === '' || isCalendarDate(filters.from);
  const toValid = filters.to === '' || isCalendarDate(filters.to);
  if (!fromValid) problems.push(`“From” is not a date (${filters.from}); pick one with the date picker.`);
  if (!toValid) problems.push(`“To” is not a date (${filters.to}); pick one with the date picker.`);
  // Plain ISO dates compare correctly as text.
  if (fromValid && toValid && filters.from !== '' && filters.to !== '' && filters.from > filters.to) {
    problems.push('“From” is after “To”: pick a start date on or before the end date.');
  }
  if (filters.device !== '' && !UUID.test(filters.device))
    problems.push('The device in this link is not a device id.');
  if (filters.album !== '' && !UUID.test(filters.album))
    problems.push('The album in this link is not an album id.');
  return problems;
}

/** The /media/list query for valid filters. */
export function toListQuery(filters: SearchFilters): MediaListQuery {
  const query: MediaListQuery = {};
  const q = filters.q.trim();
  if (q !== '') query.q = q;
  if (filters.type !== '') query.type = filters.type;
  if (filters.from !== '') query.from = filters.from;
  if (filters.to !== '') query.to = filters.to;
  if (filters.device !== '') query.device = filters.device;
  if (filters.album !== '') query.album = filters.album;
  return query;
}

/** "12 results", "1 result", "More than 200 results" while further pages are still to come. */
export function resultCount(loaded: number, done: boolean): string {
  if (!done) return `More than ${loaded} results`;
  return `${loaded} ${loaded === 1 ? 'result' : 'results'}`;
}
