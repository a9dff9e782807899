import type { MediaSource } from './media-sources.svelte.js';

/**
 * The grid a photo was opened from, so the viewer's ←/→ follow that grid's order (the album, the
 * search results, the timeline). Views set it while they are shown; a photo opened by its link
 * with no grid behind it builds its own context.
 */
class ViewerContext {
  source = $state<MediaSource | undefined>();
  /** Loads the items after the last one loaded (the next page, or the next month), if any. */
  loadMore = $state<(() => Promise<void>) | undefined>();
}

export const viewerContext = new ViewerContext();

/** Called by a view's script: makes `source` the viewer's context while the view is shown. */
export function provideViewerContext(source: MediaSource, loadMore?: () => Promise<void>): void {
  $effect(() => {
    viewerContext.source = source;
    viewerContext.loadMore = loadMore;
    return () => {
      if (viewerContext.source === source) {
        viewerContext.source = undefined;
        viewerContext.loadMore = undefined;
      }
    };
  });
}
