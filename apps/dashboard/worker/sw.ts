// The dashboard's service worker (served at /sw.js, registered only over HTTPS): keeps the app
// shell (index.html and the build's hashed files) in a cache named after the build, so the
// installed web app opens without a network. API answers are never cached: they carry private
// photos and the household's data, and always go to the server.
/// <reference lib="webworker" />

declare const self: ServiceWorkerGlobalScope;

interface Shell {
  /** A hash of every file of the build: a new build is a new cache. */
  version: string;
  /** The shell's paths, e.g. `/index.html`, `/assets/index-3f2a1c.js`, `/icons/icon-192.png`. */
  files: string[];
}

// The build (vite.config.ts, serviceWorker plugin) writes the shell of that build in place of this
// string.
const SHELL = JSON.parse('__ICLOOD_SHELL__') as Shell;
const CACHE_PREFIX = 'iclood-shell-';
const CACHE = `${CACHE_PREFIX}${SHELL.version}`;
const PAGE = '/index.html';
/** Never from a cache: the API (and its docs) are the server's, live, and private. */
const NETWORK_ONLY = /^\/(api|docs)(\/|$)/i;
const shellFiles = new Set(SHELL.files);

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Straight from the server, not from the HTTP cache: the shell of this very build.
      await cache.addAll(SHELL.files.map((path) => new Request(path, { cache: 'reload' })));
      // A new build takes over at once; its pages fetch what they miss from the server.
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  // Not answered here, so the browser fetches it from the network as if there were no worker.
  if (url.origin !== self.location.origin || NETWORK_ONLY.test(url.pathname)) return;
  if (request.mode === 'navigate') event.respondWith(page(request));
  else if (shellFiles.has(url.pathname)) event.respondWith(shellFile(request));
});

/** A page: the server's (the newest build) while it can be reached, else the cached shell. */
async function page(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (offline) {
    const cached = await caches.match(PAGE, { cacheName: CACHE });
    if (cached) return cached;
    throw offline;
  }
}

/** A file of the shell: hashed, so the cached copy is the right one. */
async function shellFile(request: Request): Promise<Response> {
  return (await caches.match(request, { cacheName: CACHE })) ?? fetch(request);
}

export {};
