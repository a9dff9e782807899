// The dashboard's URLs, as a pure function (the router in router.svelte.ts applies it).

export type Route =
  | { name: 'photos' }
  | { name: 'viewer'; id: string }
  | { name: 'albums' }
  | { name: 'album'; id: string }
  | { name: 'favorites' }
  | { name: 'search' }
  | { name: 'trash' }
  | { name: 'status' }
  | { name: 'shortcut' }
  | { name: 'account' }
  | { name: 'people' }
  | { name: 'storage' }
  | { name: 'devices' }
  | { name: 'add-phone' }
  | { name: 'pair' }
  | { name: 'not-found' };

/** What a history entry remembers: the view a photo was opened over, so the viewer keeps its context. */
export interface HistoryState {
  background?: string;
}

/** Reads a path (no query) as a route. Ids are whatever the segment holds; the API judges them. */
export function parseRoute(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((part) => part !== '')
    .map(safeDecode);
  const [first, second, ...rest] = parts;
  if (rest.length > 0) return { name: 'not-found' };
  if (first === undefined) return { name: 'photos' };
  if (first === 'photos') return second === undefined ? { name: 'photos' } : { name: 'viewer', id: second };
  if (first === 'albums') return second === undefined ? { name: 'albums' } : { name: 'album', id: second };
  if (first === 'devices') {
    if (second === undefined) return { name: 'devices' };
    return second === 'add' ? { name: 'add-phone' } : { name: 'not-found' };
  }
  if (second !== undefined) return { name: 'not-found' };
  if (first === 'favorites' || first === 'search' || first === 'trash' || first === 'status') {
    return { name: first };
  }
  if (first === 'shortcut') return { name: 'shortcut' };
  if (first === 'pair') return { name: 'pair' };
  if (first === 'account' || first === 'people' || first === 'storage') return { name: first };
  return { name: 'not-found' };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
