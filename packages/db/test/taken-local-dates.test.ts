import { describe, expect } from 'vitest';

import {
  listMedia,
  listRestoreBatch,
  type Database,
  type Kysely,
  type MediaListFilters,
} from '../src/index.js';
import { databasesWithAlice } from './fixtures.js';
import { insertMedia } from './helper.js';

// Items near midnight in different offsets: each name is its local date and time taken.
const ITEMS = [
  { name: 'tokyo 2024-01-01 00:30', taken_at: '2023-12-31T15:30:00Z', offset: 540 },
  { name: 'new york 2023-12-31 23:30', taken_at: '2024-01-01T04:30:00Z', offset: -300 },
  { name: 'utc 2024-01-01 00:00', taken_at: '2024-01-01T00:00:00Z', offset: null },
  { name: 'tokyo 2024-01-31 23:59', taken_at: '2024-01-31T14:59:00Z', offset: 540 },
  { name: 'new york 2024-01-31 23:30', taken_at: '2024-02-01T04:30:00Z', offset: -300 },
  { name: 'paris 2024-02-01 00:10', taken_at: '2024-01-31T23:10:00Z', offset: 60 },
];

describe.each(databasesWithAlice)(
  'plain dates in "taken" filters are local calendar dates on $label',
  ({ it }) => {
    const names = new Map<string, string>();

    it.beforeAll(async ({ db, alice }) => {
      for (const item of ITEMS) {
        const media = await insertMedia(db, alice.id, {
          taken_at: new Date(item.taken_at),
          taken_at_offset_minutes: item.offset,
        });
        names.set(media.id, item.name);
      }
    });

    const listed = async (db: Kysely<Database>, userId: string, filters: MediaListFilters) => {
      const page = await listMedia(db, { userId, limit: 50, filters, sort: 'taken' });
      return page.items.map((row) => names.get(row.id)).sort();
    };
    const restored = async (
      db: Kysely<Database>,
      userId: string,
      from?: MediaListFilters['from'],
      to?: MediaListFilters['to'],
    ) => {
      const selection = { kind: 'taken' as const, ...(from ? { from } : {}), ...(to ? { to } : {}) };
      const batch = await listRestoreBatch(db, { userId, selection, limit: 50 });
      return batch.items.map((row) => names.get(row.id)).sort();
    };

    it('takes everything of January 2024, local time, with an inclusive end date', async ({ db, alice }) => {
      const january = [
        'new york 2024-01-31 23:30',
        'tokyo 2024-01-01 00:30',
        'tokyo 2024-01-31 23:59',
        'utc 2024-01-01 00:00',
      ];
      const range = { from: { localDate: '2024-01-01' }, to: { localDate: '2024-01-31' } };
      expect(await listed(db, alice.id, range)).toEqual(january);
      expect(await restored(db, alice.id, range.from, range.to)).toEqual(january);
    });

    it('makes one day a range from and to the same date', async ({ db, alice }) => {
      const day = { localDate: '2024-01-01' };
      expect(await listed(db, alice.id, { from: day, to: day })).toEqual([
        'tokyo 2024-01-01 00:30',
        'utc 2024-01-01 00:00',
      ]);
      expect(await restored(db, alice.id, undefined, { localDate: '2023-12-31' })).toEqual([
        'new york 2023-12-31 23:30',
      ]);
    });

    it('keeps instants as instants: exclusive end, compared in UTC', async ({ db, alice }) => {
      const range = { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2024-02-01T00:00:00Z') };
      expect(await listed(db, alice.id, range)).toEqual([
        'new york 2023-12-31 23:30',
        'paris 2024-02-01 00:10',
        'tokyo 2024-01-31 23:59',
        'utc 2024-01-01 00:00',
      ]);
    });
  },
);
