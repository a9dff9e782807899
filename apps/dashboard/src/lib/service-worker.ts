/**
 * Registers the service worker (/sw.js, built from worker/sw.ts) that keeps the app shell for the
 * installed web app, only where the page is served over HTTPS: browsers allow workers on
 * http://localhost too, and there the dashboard stays a plain page (development, tests).
 */
export function registerServiceWorker(): void {
  if (!window.isSecureContext || location.protocol !== 'https:' || !('serviceWorker' in navigator)) return;
  // After the page's own loading, so the shell's download does not compete with the first view.
  window.addEventListener(
    'load',
    () => {
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => {
        console.warn('iClood could not install its offline shell:', error);
      });
    },
    { once: true },
  );
}
