import { describe, expect, it } from 'vitest';
import {
  aspectOf,
  estimateTilesHeight,
  gridOptionsFor,
  groupByMonth,
  layoutGrid,
  layoutTiles,
  monthOf,
  monthRange,
  visibleSections,
  visibleTiles,
} from '../../src/lib/grid-layout.js';

const desktop = gridOptionsFor(1200);
const phone = gridOptionsFor(390);

describe('justified rows', () => {
  it('fills each full row to the container width and keeps rows near the target height (the tolerance is stretched only when no row fits it)', () => {
    const aspects = [1.5, 0.75, 1.33, 1, 1.78, 0.56, 1.5, 1.5, 1.33, 0.75, 1, 1];
    const { tiles, height } = layoutTiles(aspects, desktop);
    expect(tiles).toHaveLength(aspects.length);
    const rows = new Map<number, typeof tiles>();
    for (const tile of tiles) rows.set(tile.top, [...(rows.get(tile.top) ?? []), tile]);
    const tops = [...rows.keys()];
    for (const top of tops.slice(0, -1)) {
      const row = rows.get(top)!;
      const last = row.at(-1)!;
      expect(last.left + last.width).toBeCloseTo(desktop.containerWidth, 0);
      expect(row[0]!.left).toBe(0);
      for (const tile of row) {
        expect(tile.height).toBeGreaterThan(desktop.targetRowHeight * 0.6);
        expect(tile.height).toBeLessThan(desktop.targetRowHeight * 1.4);
      }
    }
    const bottom = Math.max(...tiles.map((tile) => tile.top + tile.height));
    expect(height).toBeCloseTo(bottom, 0);
  });

  it('keeps each tile the shape of its photo', () => {
    const { tiles } = layoutTiles([0.75, 1.5, 1], desktop);
    expect(tiles[0]!.width / tiles[0]!.height).toBeCloseTo(0.75, 1);
    expect(tiles[1]!.width / tiles[1]!.height).toBeCloseTo(1.5, 1);
  });

  it('lays out nothing for no items', () => {
    expect(layoutTiles([], desktop)).toEqual({ tiles: [], height: 0 });
  });
});

describe('aspectOf', () => {
  it('swaps width and height for EXIF orientations that turn the picture a quarter', () => {
    expect(aspectOf(4032, 3024, 1)).toBeCloseTo(4 / 3);
    expect(aspectOf(4032, 3024, 6)).toBeCloseTo(3 / 4);
    expect(aspectOf(4032, 3024, 8)).toBeCloseTo(3 / 4);
    expect(aspectOf(4032, 3024, 3)).toBeCloseTo(4 / 3);
  });

  it('treats unknown sizes as square and clamps panoramas', () => {
    expect(aspectOf(null, null)).toBe(1);
    expect(aspectOf(0, 100)).toBe(1);
    expect(aspectOf(10000, 1000)).toBe(3);
    expect(aspectOf(100, 10000)).toBeCloseTo(1 / 3);
  });
});

describe('sections', () => {
  it('estimates unloaded months from their counts, so the grid has its height before any item loads', () => {
    const geometry = layoutGrid(
      [
        { key: '2024-08', count: 30 },
        { key: '2024-07', count: 0 },
        { key: '2019-01', count: 1000 },
      ],
      desktop,
    );
    const [first, empty, big] = geometry.sections;
    expect(first!.top).toBe(0);
    expect(first!.height).toBe(desktop.headerHeight + estimateTilesHeight(30, desktop) + desktop.sectionGap);
    expect(empty!.height).toBe(desktop.headerHeight + desktop.sectionGap);
    expect(big!.top).toBe(first!.height + empty!.height);
    expect(geometry.height).toBe(big!.top + big!.height);
    expect(big!.tiles).toBeUndefined();
    // A thousand items at about six a row is well over a hundred rows.
    expect(estimateTilesHeight(1000, desktop)).toBeGreaterThan(100 * desktop.targetRowHeight);
  });

  it('uses the real rows once a month is loaded', () => {
    const aspects = Array.from({ length: 9 }, () => 1.5);
    const [section] = layoutGrid([{ key: '2024-08', count: 9, aspects }], desktop).sections;
    const laid = layoutTiles(aspects, desktop);
    expect(section!.tiles).toEqual(laid.tiles);
    expect(section!.height).toBe(desktop.headerHeight + laid.height + desktop.sectionGap);
  });

  it('uses smaller tiles on a phone', () => {
    expect(phone.targetRowHeight).toBeLessThan(desktop.targetRowHeight);
    expect(estimateTilesHeight(100, phone)).toBeGreaterThan(0);
  });
});

describe('the virtual window', () => {
  const months = Array.from({ length: 120 }, (_, index) => ({ key: `m${index}`, count: 40 }));
  const geometry = layoutGrid(months, desktop);

  it('finds just the sections overlapping the viewport, wherever it is', () => {
    for (const scroll of [0, 12_345, geometry.height / 2, geometry.height - 500]) {
      const [start, end] = visibleSections(geometry, scroll, scroll + 800);
      expect(end).toBeGreaterThan(start);
      for (let index = 0; index < geometry.sections.length; index += 1) {
        const section = geometry.sections[index]!;
        const overlaps = section.top < scroll + 800 && section.top + section.height > scroll;
        expect(index >= start && index < end).toBe(overlaps);
      }
    }
  });

  it('finds nothing past the end', () => {
    const [start, end] = visibleSections(geometry, geometry.height + 10, geometry.height + 800);
    expect(end - start).toBe(0);
  });

  it('finds just the tiles overlapping a band of a loaded section', () => {
    const { tiles } = layoutTiles(
      Array.from({ length: 500 }, (_, index) => [1, 1.5, 0.75][index % 3]!),
      desktop,
    );
    const [start, end] = visibleTiles(tiles, 2000, 2800);
    expect(end - start).toBeGreaterThan(0);
    expect(end - start).toBeLessThan(60);
    tiles.forEach((tile, index) => {
      const overlaps = tile.top < 2800 && tile.top + tile.height > 2000;
      expect(index >= start && index < end).toBe(overlaps);
    });
  });
});

describe('months', () => {
  it('are the camera’s calendar month: the instant shifted by the recorded offset, UTC without one', () => {
    // 23:30 on 31 July in Berlin is 21:30 UTC: July either way.
    expect(monthOf('2024-07-31T21:30:00.000Z', 120).key).toBe('2024-07');
    // 00:30 on 1 August in Berlin is still 31 July in UTC.
    expect(monthOf('2024-07-31T22:30:00.000Z', 120).key).toBe('2024-08');
    expect(monthOf('2024-07-31T22:30:00.000Z', null).key).toBe('2024-07');
    // New York, 20:00 on 31 December 2023, is 1 January 2024 in UTC.
    expect(monthOf('2024-01-01T01:00:00.000Z', -300)).toEqual({ key: '2023-12', year: 2023, month: 12 });
  });

  it('group items newest first under their months, in order', () => {
    const item = (takenAt: string, offset: number | null = null) => ({
      takenAt,
      takenAtOffsetMinutes: offset,
    });
    const groups = groupByMonth([
      item('2024-08-02T10:00:00Z'),
      item('2024-08-01T10:00:00Z'),
      item('2024-07-31T22:30:00Z', 120),
      item('2024-07-30T10:00:00Z'),
      item('2023-01-05T10:00:00Z'),
    ]);
    expect(groups.map((group) => [group.key, group.items.length])).toEqual([
      ['2024-08', 3],
      ['2024-07', 1],
      ['2023-01', 1],
    ]);
  });

  it('give the plain-date range the list filter takes, leap years included', () => {
    expect(monthRange(2024, 2)).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(monthRange(2023, 2)).toEqual({ from: '2023-02-01', to: '2023-02-28' });
    expect(monthRange(2024, 12)).toEqual({ from: '2024-12-01', to: '2024-12-31' });
  });
});
