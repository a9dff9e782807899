import { describe, expect, it } from 'vitest';
import {
  NO_FILTERS,
  filterProblems,
  hasFilters,
  readFilters,
  resultCount,
  toListQuery,
  writeFilters,
} from '../../src/lib/search-filters.js';

const DEVICE = '0b1f6c5e-4a43-4c8b-9a55-0f0d3f3f2a11';

describe('search filters in the URL', () => {
  it('reads what it writes, in a stable order, leaving out empty fields', () => {
    const filters = {
      ...NO_FILTERS,
      q: ' holiday ',
      type: 'video' as const,
      from: '2021-03-01',
      device: DEVICE,
    };
    const search = writeFilters(filters);
    expect(search).toBe(`?q=holiday&type=video&from=2021-03-01&device=${DEVICE}`);
    expect(readFilters(new URLSearchParams(search))).toEqual({ ...filters, q: 'holiday' });
  });

  it('writes nothing for no filters; blank text is no filter', () => {
    expect(writeFilters(NO_FILTERS)).toBe('');
    expect(hasFilters({ ...NO_FILTERS, q: '   ' })).toBe(false);
    expect(hasFilters({ ...NO_FILTERS, to: '2021-01-01' })).toBe(true);
  });

  it('ignores a type it does not know', () => {
    expect(readFilters(new URLSearchParams('type=raw')).type).toBe('');
  });
});

describe('filter problems', () => {
  it('accepts a range whose start is its end (plain dates, the end day included)', () => {
    expect(filterProblems({ ...NO_FILTERS, from: '2021-03-10', to: '2021-03-10' })).toEqual([]);
  });

  it('says in words when the start is after the end', () => {
    expect(filterProblems({ ...NO_FILTERS, from: '2021-04-01', to: '2021-03-31' })).toEqual([
      '“From” is after “To”: pick a start date on or before the end date.',
    ]);
  });

  it('rejects dates that are not calendar days and ids that are not ids', () => {
    const problems = filterProblems({
      ...NO_FILTERS,
      from: '2021-02-30',
      to: 'yesterday',
      device: 'phone',
      album: 'x',
    });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toContain('“From” is not a date');
    expect(problems[1]).toContain('“To” is not a date');
  });

  it('limits the text to what the API takes', () => {
    expect(filterProblems({ ...NO_FILTERS, q: 'a'.repeat(201) })).toHaveLength(1);
    expect(filterProblems({ ...NO_FILTERS, q: 'a'.repeat(200) })).toEqual([]);
  });
});

describe('the list query', () => {
  it('passes the set filters through as the API names them', () => {
    expect(toListQuery({ ...NO_FILTERS, q: ' b ', type: 'photo', to: '2022-08-01' })).toEqual({
      q: 'b',
      type: 'photo',
      to: '2022-08-01',
    });
  });
});

describe('the result count', () => {
  it('counts what is loaded, and says "more than" while pages are to come', () => {
    expect(resultCount(1, true)).toBe('1 result');
    expect(resultCount(0, true)).toBe('0 results');
    expect(resultCount(200, false)).toBe('More than 200 results');
  });
});
