import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { listMedia, listRestoreBatch, type MediaListFilters, type User } from '../src/index.js';
import type { TestDatabase } from '../src/testing.js';
import { insertMedia, insertUser, targets } from './helper.js';

// Items near midnight in different offsets: each name is its local date and time taken.
const ITEMS = [
  { name: 'tokyo 2024-01-01 00:30', taken_at: '2023-12-31T15:30:00Z', offset: 540 },
  { name: 'new york 2023-12-31 23:30', taken_at: '2024-01-01T04:30:00Z', offset: -300 },
  { name: 'utc 2024-01-01 00:00', taken_at: '2024-01-01T00:00:00Z', offset: null },
  { name: 'tokyo 2024-01-31 23:59', taken_at: '2024-01-31T14:59:00Z', offset: 540 },
  { name: 'new york 2024-01-31 23:30', taken_at: '2024-02-01T04:30:00Z', offset: -300 },
  { name: 'paris 2024-02-01 00:10', taken_at: '2024-01-31T23:10:00Z', offset: 60 },
];

describe.each(targets)('plain dates in "taken" filters are local calendar dates on $label', (target) => {
  let database: TestDatabase;
  let alice: User;
  const names = new Map<string, string>();

  beforeAll(async () => {
    database = await target.create();
    alice = await insertUser(database.db, { username: 'alice', role: 'owner' });
    for (const item of ITEMS) {
      const media = await insertMedia(database.db, alice.id, {
        taken_at: new Date(item.taken_at),
        taken_at_offset_minutes: item.offset,
      });
      names.set(media.id, item.name);
    }
  });
  afterAll(() => database.destroy());

  const listed = async (filters: MediaListFilters) => {
    const page = await listMedia(database.db, { userId: alice.id, limit: 50, filters, sort: 'taken' });
    return page.items.map((row) => names.get(row.id)).sort();
  };
  const restored = async (from?: MediaListFilters['from'], to?: MediaListFilters['to']) => {
    const selection = { kind: 'taken' as const, ...(from ? { from } : {}), ...(to ? { to } : {}) };
    const batch = await listRestoreBatch(database.db, { userId: alice.id, selection, limit: 50 });
    return batch.items.map((row) => names.get(row.id)).sort();
  };

  it('takes everything of January 2024, local time, with an inclusive end date', async () => {
    const january = [
      'new york 2024-01-31 23:30',
      'tokyo 2024-01-01 00:30',
      'tokyo 2024-01-31 23:59',
      'utc 2024-01-01 00:00',
    ];
    const range = { from: { localDate: '2024-01-01' }, to: { localDate: '2024-01-31' } };
    expect(await listed(range)).toEqual(january);
    expect(await restored(range.from, range.to)).toEqual(january);
  });

  it('makes one day a range from and to the same date', async () => {
    const day = { localDate: '2024-01-01' };
    expect(await listed({ from: day, to: day })).toEqual(['tokyo 2024-01-01 00:30', 'utc 2024-01-01 00:00']);
    expect(await restored(undefined, { localDate: '2023-12-31' })).toEqual(['new york 2023-12-31 23:30']);
  });

  it('keeps instants as instants: exclusive end, compared in UTC', async () => {
    const range = { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2024-02-01T00:00:00Z') };
    expect(await listed(range)).toEqual([
      'new york 2023-12-31 23:30',
      'paris 2024-02-01 00:10',
      'tokyo 2024-01-31 23:59',
      'utc 2024-01-01 00:00',
    ]);
  });
});
