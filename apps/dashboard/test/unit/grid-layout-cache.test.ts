import justifiedLayout from 'justified-layout';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  GridLayoutCache,
  aspectOf,
  gridOptionsFor,
  layoutGrid,
  type SizedItem,
} from '../../src/lib/grid-layout.js';

// The real justified-layout, counted: how many months went through it.
vi.mock('justified-layout', async (importActual) => {
  const actual = await importActual<{ default: typeof justifiedLayout }>();
  return { default: vi.fn(actual.default) };
});
const layoutCalls = vi.mocked(justifiedLayout);

const desktop = gridOptionsFor(1200);
const shapes: SizedItem[] = [
  { width: 4032, height: 3024, orientation: 1 },
  { width: 4032, height: 3024, orientation: 6 },
  { width: 1920, height: 1080, orientation: null },
  { width: null, height: null },
];
const monthOfItems = (count: number): SizedItem[] =>
  Array.from({ length: count }, (_, index) => shapes[index % 4]!);
const months = Array.from({ length: 60 }, (_, index) => ({
  key: `m${index}`,
  count: 30 + index,
  items: index % 3 === 0 ? undefined : monthOfItems(30 + index),
}));

beforeEach(() => {
  layoutCalls.mockClear();
});

describe('the grid layout remembered per month', () => {
  it('is the layout laid out from scratch', () => {
    const expected = layoutGrid(
      months.map(({ key, count, items }) => ({
        key,
        count,
        aspects: items?.map((item) => aspectOf(item.width, item.height, item.orientation)),
      })),
      desktop,
    );
    expect(new GridLayoutCache().layout(months, desktop)).toEqual(expected);
  });

  it('lays out each loaded month once, however often the grid is stacked again', () => {
    const layouts = new GridLayoutCache();
    const first = layouts.layout(months, desktop);
    const loaded = months.filter((month) => month.items).length;
    expect(layoutCalls).toHaveBeenCalledTimes(loaded);
    const again = layouts.layout([...months], gridOptionsFor(1200));
    expect(layoutCalls).toHaveBeenCalledTimes(loaded);
    expect(again).toEqual(first);
    again.sections.forEach((section, index) => expect(section.tiles).toBe(first.sections[index]!.tiles));
  });

  it('lays out again only the month that loaded or changed, and restacks the months below it', () => {
    const layouts = new GridLayoutCache();
    const before = layouts.layout(months, desktop);
    layoutCalls.mockClear();
    // Month 3 loads; month 10's items change (a new array, as the sources replace a changed month).
    const after = months.map((month, index) =>
      index === 3
        ? { ...month, items: monthOfItems(month.count) }
        : index === 10
          ? { ...month, items: [...month.items!] }
          : month,
    );
    const geometry = layouts.layout(after, desktop);
    expect(layoutCalls).toHaveBeenCalledTimes(2);
    expect(geometry).toEqual(new GridLayoutCache().layout(after, desktop));
    expect(geometry.sections[3]!.tiles).toHaveLength(months[3]!.count);
    expect(geometry.sections[5]!.tiles).toBe(before.sections[5]!.tiles);
    expect(geometry.sections[10]!.tiles).not.toBe(before.sections[10]!.tiles);
    // Month 3's real rows replace its estimate: everything below moves by the difference.
    const moved = geometry.sections[3]!.height - before.sections[3]!.height;
    expect(geometry.sections[40]!.top).toBeCloseTo(before.sections[40]!.top + moved, 6);
  });

  it('lays every month out again for a new width, never serving rows of the old one', () => {
    const layouts = new GridLayoutCache();
    layouts.layout(months, desktop);
    layoutCalls.mockClear();
    const phone = gridOptionsFor(390);
    const geometry = layouts.layout(months, phone);
    expect(layoutCalls).toHaveBeenCalledTimes(months.filter((month) => month.items).length);
    expect(geometry).toEqual(new GridLayoutCache().layout(months, phone));
    for (const section of geometry.sections) {
      for (const tile of section.tiles ?? [])
        expect(tile.left + tile.width).toBeLessThanOrEqual(phone.containerWidth + 0.5);
    }
  });
});
