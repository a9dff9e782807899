import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/**
 * Writes `.br` and `.gz` beside every text file of the build, once, so the server (a Pi) sends them
 * compressed without compressing on each request (@fastify/static's `preCompressed`).
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'iclood-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async writeBundle() {
      const files = await readdir(outDir, { recursive: true, withFileTypes: true });
      const texts = files.filter((entry) => entry.isFile() && /\.(js|css|html|svg|json)$/.test(entry.name));
      await Promise.all(
        texts.map(async (entry) => {
          const path = join(entry.parentPath, entry.name);
          const content = await readFile(path);
          await writeFile(`${path}.gz`, await gzipAsync(content, { level: 9 }));
          await writeFile(
            `${path}.br`,
            await brotliAsync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
          );
        }),
      );
    },
  };
}

// Where `pnpm dev` forwards API calls: a server started with `pnpm --filter @iclood/server start`.
const DEV_API_ORIGIN = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte(), precompress()],
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
