/**
 * What outlives one photo in the viewer. The app mounts a fresh viewer for every `/photos/<id>`,
 * so moving with ←/→ keeps here: the info panel open or shut, the control that had focus, a
 * message still to be said, the tile to give focus back to, and — for a photo opened by its link
 * with no grid behind it — the timeline around that photo, so ←/→ work there too.
 */
import type { MediaListItem } from '@iclood/api-types';
import { monthOf } from './grid-layout.js';
import { TimelineSource, type MediaSource } from './media-sources.svelte.js';
import { parseRoute } from './router.svelte.js';
import { viewerContext } from './viewer-context.svelte.js';

/** The items ←/→ run through, and how to load the ones past either end. */
export interface ViewerGrid {
  source: MediaSource;
  loadMore?: (() => Promise<void>) | undefined;
  loadBefore?: (() => Promise<void>) | undefined;
}

class ViewerSession {
  /** The info panel stays as the person left it, photo after photo. */
  infoOpen = $state(false);
  /** A photo opened by its link: the timeline around it, loaded month by month as ←/→ reach its ends. */
  #ownGrid = $state<ViewerGrid & { source: TimelineSource }>();
  #building: Promise<void> | undefined;
  /** `data-focus` of the control that had focus when the viewer moved on, to focus it again. */
  focusKey: string | undefined;
  /** Said by the next photo's live region ("Moved to Trash"). */
  announcement: string | undefined;
  /** What had focus when the viewer opened: the tile, given focus back on close. */
  opener: HTMLElement | undefined;

  /** The grid `id` sits in: the timeline built for a link once there is one, else the grid it was opened from. */
  gridFor(id: string): ViewerGrid | undefined {
    if (this.#ownGrid?.source.find(id)) return this.#ownGrid;
    const source = viewerContext.source;
    if (source?.find(id)) return { source, loadMore: viewerContext.loadMore };
    return undefined;
  }

  /** For a photo no grid holds: loads its month of the timeline (by that month's date range). */
  buildGridAround(item: Pick<MediaListItem, 'id' | 'takenAt' | 'takenAtOffsetMinutes'>): Promise<void> {
    this.#building ??= this.#build(item).finally(() => (this.#building = undefined));
    return this.#building;
  }

  async #build(item: Pick<MediaListItem, 'id' | 'takenAt' | 'takenAtOffsetMinutes'>): Promise<void> {
    if (this.gridFor(item.id)) return;
    // Its own root: made inside the first viewer's effect, its derived state would otherwise end
    // with that viewer, and the next photo's viewer would read stale items.
    let source!: TimelineSource;
    const destroyRoot = $effect.root(() => {
      source = new TimelineSource();
    });
    const dispose = source.dispose.bind(source);
    source.dispose = () => {
      dispose();
      destroyRoot();
    };
    await source.reload();
    await source.ensure(monthOf(item.takenAt, item.takenAtOffsetMinutes).key);
    if (!source.find(item.id)) {
      source.dispose();
      return;
    }
    const loadedIndexes = () => source.sections.flatMap((section, index) => (section.items ? [index] : []));
    const loadAt = async (index: number) => {
      const section = source.sections[index];
      if (section && !section.items) await source.ensure(section.key);
    };
    this.#ownGrid?.source.dispose();
    this.#ownGrid = {
      source,
      loadMore: () => loadAt((loadedIndexes().at(-1) ?? -2) + 1),
      loadBefore: () => loadAt((loadedIndexes()[0] ?? 0) - 1),
    };
  }

  /** Applies a change (favourite, name) to every grid showing the item, so their tiles agree. */
  update(id: string, patch: Partial<MediaListItem>): void {
    viewerContext.source?.update(id, patch);
    this.#ownGrid?.source.update(id, patch);
  }

  /** Drops an item that left the library (trashed) from every grid showing it. */
  remove(id: string): void {
    viewerContext.source?.remove([id]);
    this.#ownGrid?.source.remove([id]);
  }

  /** Called as the viewer for `id` goes: when the viewer is closing, not moving, ends the session. */
  left(id: string): void {
    // The address itself: state read in a teardown still holds what it held before the change.
    if (parseRoute(location.pathname).name === 'viewer') return;
    this.#ownGrid?.source.dispose();
    this.#ownGrid = undefined;
    this.focusKey = undefined;
    const opener = this.opener;
    this.opener = undefined;
    const message = this.announcement;
    this.announcement = undefined;
    // After the grid behind has drawn: the tile of the photo last shown, else the one it opened from.
    requestAnimationFrame(() => {
      const tile = document.querySelector<HTMLElement>(`a[data-id="${CSS.escape(id)}"]`);
      const target = tile ?? (opener?.isConnected ? opener : undefined);
      target?.focus({ preventScroll: !tile });
      if (tile) tile.scrollIntoView({ block: 'nearest' });
      if (message) announceOutside(message);
    });
  }
}

/** The page's own live region for what the viewer says as it closes (its own region goes with it). */
function announceOutside(message: string): void {
  let region = document.getElementById('viewer-announcer');
  if (!region) {
    region = document.createElement('div');
    region.id = 'viewer-announcer';
    region.className = 'visually-hidden';
    region.setAttribute('role', 'status');
    document.body.append(region);
  }
  const target = region;
  target.textContent = '';
  requestAnimationFrame(() => (target.textContent = message));
}

export const viewerSession = new ViewerSession();
