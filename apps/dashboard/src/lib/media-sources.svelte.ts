/**
 * Where a grid's items come from.
 * - `TimelineSource`: the whole library. Months (with counts) come first from /media/timeline, so
 *   the grid has its full height and a jump to any month is one small request; each month's items
 *   are loaded when it comes near the viewport, by its plain-date range.
 * - `ListSource`: a filtered list (an album, favourites, a search) paged by cursor, grouped under
 *   months as it arrives.
 * Both re-ask for items whose thumbnails are still being made, so the placeholders fill in.
 *
 * `sections` is raw state: never mutated, only replaced — a changed section by a new object with a
 * new items array, the rest kept as they were. With tens of thousands of items loaded, deep state
 * made every item a proxy (the top cost while scrolling, and long GC pauses), and the grid keys its
 * per-month layout on the items array's identity (`GridLayoutCache`).
 */
import type { MediaListItem, MediaListQuery } from '@iclood/api-types';
import { toApiError, type ApiError } from './api-client.js';
import { getTimeline, listMedia } from './api.js';
import { monthTitle } from './format.js';
import { groupByMonth, monthKey, monthRange, type MonthKey } from './grid-layout.js';
import type { GridSection } from './grid-types.js';

const MONTH_PAGE = 500;
const PENDING_POLL_MS = 3000;
const PENDING_POLL_LIMIT = 40;

export interface MediaSource {
  readonly sections: readonly GridSection[];
  readonly loading: boolean;
  readonly error: ApiError | undefined;
  /** Items of the sections loaded so far, in grid order (built when read, once per change). */
  readonly items: readonly MediaListItem[];
  find(id: string): MediaListItem | undefined;
  /** Applies a change made elsewhere (favourite, rename) without a reload. */
  update(id: string, patch: Partial<MediaListItem>): void;
  /** Drops items that left this view (trashed, removed from the album). */
  remove(ids: Iterable<string>): void;
  reload(): Promise<void>;
  dispose(): void;
}

/** Each loaded section's items by id, made the first time a section is searched. */
const itemIndexes = new WeakMap<readonly MediaListItem[], Map<string, number>>();
function indexOfItem(items: readonly MediaListItem[], id: string): number {
  let index = itemIndexes.get(items);
  if (!index) {
    index = new Map(items.map((item, position) => [item.id, position]));
    itemIndexes.set(items, index);
  }
  return index.get(id) ?? -1;
}

abstract class BaseSource implements MediaSource {
  sections = $state.raw<readonly GridSection[]>([]);
  loading = $state(false);
  error = $state<ApiError | undefined>();
  // Lazy: read by the viewer and a few views, never while the grid scrolls, so no load builds it.
  items = $derived(this.sections.flatMap((section) => section.items ?? []));
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  #polls = 0;
  protected disposed = false;

  find(id: string): MediaListItem | undefined {
    for (const { items } of this.sections) {
      const index = items ? indexOfItem(items, id) : -1;
      if (index !== -1) return items![index];
    }
    return undefined;
  }

  update(id: string, patch: Partial<MediaListItem>): void {
    let changed = false;
    const sections = this.sections.map((section) => {
      const index = section.items ? indexOfItem(section.items, id) : -1;
      if (index === -1) return section;
      changed = true;
      const items = section.items!.with(index, { ...section.items![index]!, ...patch });
      return { ...section, items };
    });
    if (changed) this.sections = sections;
  }

  remove(ids: Iterable<string>): void {
    const gone = new Set(ids);
    let changed = false;
    const sections = this.sections
      .map((section) => {
        if (!section.items?.some((item) => gone.has(item.id))) return section;
        changed = true;
        const items = section.items.filter((item) => !gone.has(item.id));
        return { ...section, items, count: section.count - (section.items.length - items.length) };
      })
      .filter((section) => section.count > 0);
    if (changed || sections.length !== this.sections.length) this.sections = sections;
  }

  /** Whether any loaded item's thumbnail is still being made. */
  protected hasPending(): boolean {
    return this.sections.some((section) => section.items?.some((item) => item.thumbnail === 'pending'));
  }

  abstract reload(): Promise<void>;
  protected abstract refreshPending(): Promise<void>;

  /** While any loaded item's thumbnail is pending, looks again every few seconds (bounded). */
  protected watchPending(): void {
    if (this.#pollTimer !== undefined || this.disposed) return;
    if (!this.hasPending()) return;
    if (this.#polls >= PENDING_POLL_LIMIT) return;
    this.#polls += 1;
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = undefined;
      void this.refreshPending().then(() => this.watchPending());
    }, PENDING_POLL_MS);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.#pollTimer);
  }

  protected fail(error: unknown): void {
    this.error = toApiError(error);
  }
}

export class TimelineSource extends BaseSource {
  #inFlight = new Map<string, Promise<void>>();
  #filters: MediaListQuery;

  constructor(filters: MediaListQuery = {}) {
    super();
    this.#filters = filters;
  }

  async reload(): Promise<void> {
    this.loading = true;
    this.error = undefined;
    try {
      const { months } = await getTimeline();
      const previous = new Map(this.sections.map((section) => [section.key, section]));
      this.sections = months.map(({ year, month, count }) => {
        const key = monthKey(year, month);
        const known = previous.get(key);
        // A month whose count changed is loaded again when it is next in view.
        return {
          key,
          title: monthTitle(year, month),
          count,
          items: known?.count === count ? known.items : undefined,
        };
      });
    } catch (error) {
      this.fail(error);
    } finally {
      this.loading = false;
    }
  }

  /** Loads a month's items once, however often the grid asks while it is on its way. */
  ensure(key: string): Promise<void> {
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const promise = this.#loadMonth(key).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, promise);
    return promise;
  }

  /**
   * Loads the months on either side of the one holding `id`, so the viewer's ←/→ run through
   * every month in order even after a jump left unloaded months between loaded ones.
   */
  async ensureAround(id: string): Promise<void> {
    const index = this.sections.findIndex((section) => section.items?.some((item) => item.id === id));
    if (index === -1) return;
    const around = [this.sections[index - 1], this.sections[index + 1]];
    await Promise.all(
      around.filter((section) => section && !section.items).map((section) => this.ensure(section!.key)),
    );
  }

  async #loadMonth(key: string): Promise<void> {
    const [year, month] = key.split('-').map(Number) as [number, number];
    const range = monthRange(year, month);
    const items: MediaListItem[] = [];
    try {
      let cursor: string | undefined;
      do {
        const page = await listMedia({
          ...this.#filters,
          ...range,
          limit: MONTH_PAGE,
          ...(cursor ? { cursor } : {}),
        });
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && !this.disposed);
    } catch (error) {
      this.fail(error);
      return;
    }
    const index = this.sections.findIndex((section) => section.key === key);
    if (index === -1) return;
    const section = this.sections[index]!;
    this.sections =
      items.length === 0
        ? this.sections.toSpliced(index, 1)
        : this.sections.with(index, { ...section, count: items.length, items });
    this.watchPending();
  }

  protected async refreshPending(): Promise<void> {
    const keys = this.sections
      .filter((section) => section.items?.some((item) => item.thumbnail === 'pending'))
      .map((section) => section.key);
    await Promise.all(keys.map((key) => this.#loadMonth(key)));
  }
}

function sectionOf(group: MonthKey & { items: MediaListItem[] }): GridSection {
  return {
    key: group.key,
    title: monthTitle(group.year, group.month),
    count: group.items.length,
    items: group.items,
  };
}

export class ListSource extends BaseSource {
  #query: MediaListQuery;
  #cursor: string | null | undefined;
  #loadingPage: Promise<void> | undefined;
  /** True once the last page has arrived. */
  done = $state(false);

  constructor(query: MediaListQuery) {
    super();
    this.#query = query;
  }

  async reload(): Promise<void> {
    this.#cursor = undefined;
    this.done = false;
    this.error = undefined;
    this.sections = [];
    await this.more();
  }

  /** The next page, if there is one and none is on its way. */
  more(): Promise<void> {
    if (this.done || this.error) return Promise.resolve();
    this.#loadingPage ??= this.#page().finally(() => (this.#loadingPage = undefined));
    return this.#loadingPage;
  }

  async #page(): Promise<void> {
    this.loading = true;
    try {
      const page = await listMedia({
        ...this.#query,
        limit: 200,
        ...(this.#cursor ? { cursor: this.#cursor } : {}),
      });
      if (this.disposed) return;
      this.#cursor = page.nextCursor;
      this.done = page.nextCursor === null;
      this.#append(page.items);
      this.watchPending();
    } catch (error) {
      this.fail(error);
    } finally {
      this.loading = false;
    }
  }

  /** A page after the loaded ones: its first month may carry on the last one shown. */
  #append(items: readonly MediaListItem[]): void {
    const sections = [...this.sections];
    for (const group of groupByMonth(items)) {
      const last = sections.at(-1);
      if (last?.key === group.key) {
        const joined = [...(last.items ?? []), ...group.items];
        sections[sections.length - 1] = { ...last, count: joined.length, items: joined };
      } else sections.push(sectionOf(group));
    }
    this.sections = sections;
  }

  #regroup(items: readonly MediaListItem[]): void {
    this.sections = groupByMonth(items).map(sectionOf);
  }

  protected async refreshPending(): Promise<void> {
    // Pages are small; asking again for what is loaded is simplest and keeps the order.
    const wanted = this.items.length;
    const items: MediaListItem[] = [];
    let cursor: string | undefined;
    try {
      do {
        const page = await listMedia({ ...this.#query, limit: 200, ...(cursor ? { cursor } : {}) });
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
        this.#cursor = page.nextCursor;
        this.done = page.nextCursor === null;
      } while (cursor && items.length < wanted && !this.disposed);
    } catch {
      return;
    }
    if (!this.disposed) this.#regroup(items);
  }
}
