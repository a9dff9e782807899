import type { MediaListItem } from '@iclood/api-types';

/** One month (or other group) of a grid: its items once loaded, its count before. */
export interface GridSection {
  key: string;
  title: string;
  count: number;
  items: MediaListItem[] | undefined;
}
