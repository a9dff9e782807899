/**
 * The geometry of a photo grid, as pure functions: month sections stacked top to bottom, each a
 * header and justified rows (Flickr's justified-layout), an estimate for sections not loaded yet so
 * the scrollbar spans the whole library from the start, and the window of sections and tiles near
 * the viewport (all the DOM ever holds).
 */
import justifiedLayout from 'justified-layout';

export interface GridOptions {
  containerWidth: number;
  targetRowHeight: number;
  /** Between tiles, both ways. */
  spacing: number;
  headerHeight: number;
  /** Below each section. */
  sectionGap: number;
}

export interface Tile {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface SectionInput {
  key: string;
  count: number;
  /** Width / height of each item, when the section's items are loaded. */
  aspects?: readonly number[] | undefined;
}

export interface SectionGeometry {
  key: string;
  /** From the top of the grid. */
  top: number;
  height: number;
  /** Tiles relative to the section's top (below its header), when loaded. */
  tiles: Tile[] | undefined;
}

export interface GridGeometry {
  sections: SectionGeometry[];
  height: number;
}

/** The options that suit a container this wide: smaller tiles on a phone. */
export function gridOptionsFor(containerWidth: number): GridOptions {
  const phone = containerWidth < 600;
  return {
    containerWidth: Math.max(1, Math.floor(containerWidth)),
    targetRowHeight: phone ? 110 : 200,
    spacing: phone ? 2 : 4,
    headerHeight: 52,
    sectionGap: phone ? 12 : 20,
  };
}

/** The shape to lay an item out with: square when it has no dimensions, clamped to keep rows sane. */
export function aspectOf(width: number | null, height: number | null, orientation?: number | null): number {
  if (!width || !height) return 1;
  // EXIF orientations 5–8 turn the picture a quarter: the displayed shape is the other way round.
  const ratio = orientation && orientation >= 5 ? height / width : width / height;
  return Math.min(3, Math.max(1 / 3, ratio));
}

/** Justified rows for one section's items. */
export function layoutTiles(
  aspects: readonly number[],
  options: GridOptions,
): { tiles: Tile[]; height: number } {
  if (aspects.length === 0) return { tiles: [], height: 0 };
  const result = justifiedLayout([...aspects], {
    containerWidth: options.containerWidth,
    containerPadding: 0,
    boxSpacing: options.spacing,
    targetRowHeight: options.targetRowHeight,
    targetRowHeightTolerance: 0.25,
    showWidows: true,
  });
  const tiles = result.boxes.map(({ left, top, width, height }) => ({ left, top, width, height }));
  return { tiles, height: result.containerHeight };
}

/** How tall `count` tiles of typical shape (4:3) will be, before they are loaded. */
export function estimateTilesHeight(count: number, options: GridOptions): number {
  if (count <= 0) return 0;
  const typicalWidth = options.targetRowHeight * (4 / 3) + options.spacing;
  const perRow = Math.max(1, Math.floor((options.containerWidth + options.spacing) / typicalWidth));
  const rows = Math.ceil(count / perRow);
  return rows * options.targetRowHeight + (rows - 1) * options.spacing;
}

/** Stacks the sections: real rows where the items are loaded, an estimate where not. */
export function layoutGrid(sections: readonly SectionInput[], options: GridOptions): GridGeometry {
  return stackSections(sections, options, (section) =>
    section.aspects ? layoutTiles(section.aspects, options) : undefined,
  );
}

function stackSections<S extends { key: string; count: number }>(
  sections: readonly S[],
  options: GridOptions,
  rowsOf: (section: S) => { tiles: Tile[]; height: number } | undefined,
): GridGeometry {
  let top = 0;
  const geometry: SectionGeometry[] = [];
  for (const section of sections) {
    const laid = rowsOf(section);
    const tilesHeight = laid ? laid.height : estimateTilesHeight(section.count, options);
    const height = options.headerHeight + tilesHeight + options.sectionGap;
    geometry.push({ key: section.key, top, height, tiles: laid?.tiles });
    top += height;
  }
  return { sections: geometry, height: top };
}

/** What an item needs for its tile's shape. */
export interface SizedItem {
  width: number | null;
  height: number | null;
  orientation?: number | null;
}

export interface ItemSection {
  key: string;
  count: number;
  /** The section's items once loaded; a changed item must come in a new array (see `GridLayoutCache`). */
  items?: readonly SizedItem[] | undefined;
}

const sameOptions = (a: GridOptions, b: GridOptions) =>
  a.containerWidth === b.containerWidth && a.targetRowHeight === b.targetRowHeight && a.spacing === b.spacing;

/**
 * `layoutGrid` for a grid that grows a month at a time: each loaded section's rows are remembered
 * by the identity of its items array (and the width and row height they were laid out for), so
 * when one month loads only that month goes through justified-layout and the others are stacked
 * from their remembered heights — the cost of a load does not grow with the library. Callers
 * replace a section's items array whenever an item in it changes, never mutate it in place.
 *
 * @example
 * const layouts = new GridLayoutCache();
 * const geometry = layouts.layout(sections, gridOptionsFor(1200)); // again: only new months laid out
 */
export class GridLayoutCache {
  #rows = new WeakMap<readonly SizedItem[], { options: GridOptions; tiles: Tile[]; height: number }>();

  layout(sections: readonly ItemSection[], options: GridOptions): GridGeometry {
    return stackSections(sections, options, (section) =>
      section.items ? this.#rowsOf(section.items, options) : undefined,
    );
  }

  #rowsOf(items: readonly SizedItem[], options: GridOptions): { tiles: Tile[]; height: number } {
    const known = this.#rows.get(items);
    if (known && sameOptions(known.options, options)) return known;
    const laid = layoutTiles(
      items.map((item) => aspectOf(item.width, item.height, item.orientation)),
      options,
    );
    const rows = { options, ...laid };
    this.#rows.set(items, rows);
    return rows;
  }
}

/** The first index whose `end(index)` is past `value` (binary search over a sorted list). */
function firstEndingAfter(count: number, end: (index: number) => number, value: number): number {
  let low = 0;
  let high = count;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (end(middle) <= value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The half-open range [start, end) of sections that overlap [top, bottom). */
export function visibleSections(geometry: GridGeometry, top: number, bottom: number): [number, number] {
  const { sections } = geometry;
  const start = firstEndingAfter(
    sections.length,
    (index) => sections[index]!.top + sections[index]!.height,
    top,
  );
  let end = start;
  while (end < sections.length && sections[end]!.top < bottom) end += 1;
  return [start, end];
}

/** The half-open range of `tiles` (sorted by row, as laid out) that overlap [top, bottom). */
export function visibleTiles(tiles: readonly Tile[], top: number, bottom: number): [number, number] {
  const start = firstEndingAfter(tiles.length, (index) => tiles[index]!.top + tiles[index]!.height, top);
  let end = start;
  while (end < tiles.length && tiles[end]!.top < bottom) end += 1;
  return [start, end];
}

export interface MonthKey {
  key: string;
  year: number;
  month: number;
}

/**
 * The calendar month an item was taken in, on the camera's clock: the instant shifted by the
 * offset it recorded (UTC when none), as the server's timeline and date filters count it.
 */
export function monthOf(takenAt: string, offsetMinutes: number | null): MonthKey {
  const local = new Date(Date.parse(takenAt) + (offsetMinutes ?? 0) * 60_000);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + 1;
  return { key: monthKey(year, month), year, month };
}

export const monthKey = (year: number, month: number) => `${year}-${String(month).padStart(2, '0')}`;

/** Groups items (newest first) under their months, keeping the order. */
export function groupByMonth<T extends { takenAt: string; takenAtOffsetMinutes: number | null }>(
  items: readonly T[],
): Array<MonthKey & { items: T[] }> {
  const groups: Array<MonthKey & { items: T[] }> = [];
  for (const item of items) {
    const month = monthOf(item.takenAt, item.takenAtOffsetMinutes);
    const last = groups.at(-1);
    if (last && last.key === month.key) last.items.push(item);
    else groups.push({ ...month, items: [item] });
  }
  return groups;
}

/** The plain-date range [first day, last day] of a month, as the list filter takes it. */
export function monthRange(year: number, month: number): { from: string; to: string } {
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const prefix = monthKey(year, month);
  return { from: `${prefix}-01`, to: `${prefix}-${String(lastDay).padStart(2, '0')}` };
}
