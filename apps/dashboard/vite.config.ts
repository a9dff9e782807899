import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// Where `pnpm dev` forwards API calls: a server started with `pnpm --filter @iclood/server start`.
const DEV_API_ORIGIN = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte()],
  // The server mounts dist/ at the site root with @fastify/static.
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names let the server cache /assets/* forever; only index.html must be revalidated.
    assetsDir: 'assets',
    // Emit every asset as a file, never a data: URL, so a strict `img-src 'self'` CSP still allows it.
    assetsInlineLimit: 0,
    // Safari on the household's iPhones is the oldest browser we care about.
    target: ['es2022', 'safari16'],
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': DEV_API_ORIGIN,
      '/docs': DEV_API_ORIGIN,
      '/ping': DEV_API_ORIGIN,
    },
  },
});
