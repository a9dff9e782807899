/**
 * The dashboard's router on the History API: every view has a real URL, reload and back/forward
 * work (the server answers every non-API path with index.html), and same-origin links navigate
 * without a page load.
 */

import { parseRoute, type HistoryState } from './routes.js';

export { parseRoute, type HistoryState, type Route } from './routes.js';

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
