/**
 * The dashboard's router on the History API: every view has a real URL, reload and back/forward
 * work (the server answers every non-API path with index.html), and same-origin links navigate
 * without a page load.
 */

export type Route =
  | { name: 'photos' }
  | { name: 'viewer'; id: string }
  | { name: 'albums' }
  | { name: 'album'; id: string }
  | { name: 'favorites' }
  | { name: 'search' }
  | { name: 'trash' }
  | { name: 'status' }
  | { name: 'not-found' };

/** What a history entry remembers: the view a photo was opened over, so the viewer keeps its context. */
export interface HistoryState {
  background?: string;
}

/** Reads a path (no query) as a route. Ids are whatever the segment holds; the API judges them. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter((part) => part !== '').map(safeDecode);
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { name: 'not-found' };
  if (first === undefined) return { name: 'photos' };
  if (first === 'photos') return second === undefined ? { name: 'photos' } : { name: 'viewer', id: second };
  if (first === 'albums') return second === undefined ? { name: 'albums' } : { name: 'album', id: second };
  if (second !== undefined) return { name: 'not-found' };
  if (first === 'favorites' || first === 'search' || first === 'trash' || first === 'status') {
    return { name: first };
  }
  return { name: 'not-found' };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

class Router {
  path = $state(location.pathname);
  search = $state(location.search);
  state = $state<HistoryState>(readState(history.state));
  route = $derived(parseRoute(this.path));
  params = $derived(new URLSearchParams(this.search));

  constructor() {
    addEventListener('popstate', (event) => this.#sync(event.state));
    document.addEventListener('click', (event) => this.#interceptLink(event));
  }

  /** The URL of this entry: path and query. */
  get href(): string {
    return this.path + this.search;
  }

  navigate(href: string, options: { replace?: boolean; state?: HistoryState } = {}): void {
    const url = new URL(href, location.href);
    if (url.origin !== location.origin) {
      location.assign(url);
      return;
    }
    const state = options.state ?? {};
    if (options.replace) history.replaceState(state, '', url);
    else history.pushState(state, '', url);
    this.#sync(state);
    if (!options.replace && !state.background) scrollTo(0, 0);
  }

  #sync(state: unknown): void {
    this.path = location.pathname;
    this.search = location.search;
    this.state = readState(state);
  }

  #interceptLink(event: MouseEvent): void {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, location.href);
    // The API, its docs and files are real server pages.
    if (url.origin !== location.origin || /^\/(api|docs|ping)(\/|$)/.test(url.pathname)) return;
    event.preventDefault();
    this.navigate(url.pathname + url.search + url.hash);
  }
}

function readState(state: unknown): HistoryState {
  if (typeof state !== 'object' || state === null) return {};
  const background = (state as { background?: unknown }).background;
  return typeof background === 'string' && background.startsWith('/') ? { background } : {};
}

export const router = new Router();
