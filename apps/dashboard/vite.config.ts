import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
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
      const texts = files.filter(
        (entry) => entry.isFile() && /\.(js|css|html|svg|json|webmanifest)$/.test(entry.name),
      );
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

/** The service worker's source (worker/sw.ts), built beside index.html as /sw.js. */
const WORKER_ENTRY = 'sw';
const SHELL_PLACEHOLDER = /(["'`])__ICLOOD_SHELL__\1/g;

/**
 * Writes the app shell of this build into the service worker: the paths of index.html, of every
 * hashed asset and of the public files (manifest, icons), and a version hashed from all their
 * bytes, so each build has a cache of its own and the worker's bytes change with it.
 */
function serviceWorkerShell(): Plugin {
  let publicDir = '';
  return {
    name: 'iclood-service-worker-shell',
    apply: 'build',
    // After Vite's own plugins have put index.html into the bundle.
    enforce: 'post',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    async generateBundle(_options, bundle) {
      const worker = Object.values(bundle).find(
        (file) => file.type === 'chunk' && file.name === WORKER_ENTRY,
      );
      if (worker?.type !== 'chunk') return this.error('the service worker entry is missing from the build');
      if (worker.imports.length > 0 || worker.dynamicImports.length > 0) {
        return this.error('the service worker imports other chunks; it must be one classic script');
      }
      const files = new Map<string, string | Uint8Array>();
      for (const file of Object.values(bundle)) {
        if (file !== worker) files.set(`/${file.fileName}`, file.type === 'chunk' ? file.code : file.source);
      }
      if (publicDir) {
        for (const entry of await readdir(publicDir, { recursive: true, withFileTypes: true })) {
          if (!entry.isFile()) continue;
          const path = join(entry.parentPath, entry.name);
          files.set(`/${relative(publicDir, path).split(sep).join('/')}`, await readFile(path));
        }
      }
      if (!files.has('/index.html')) return this.error('index.html is not in the bundle yet');
      const paths = [...files.keys()].sort();
      const hash = createHash('sha256');
      for (const path of paths) hash.update(path).update('\0').update(files.get(path)!).update('\0');
      const shell = { version: hash.digest('hex').slice(0, 16), files: paths };
      let replaced = 0;
      worker.code = worker.code.replace(SHELL_PLACEHOLDER, () => {
        replaced += 1;
        return JSON.stringify(JSON.stringify(shell));
      });
      if (replaced !== 1) this.error(`the service worker has ${replaced} shell placeholders, not one`);
    },
  };
}

// Where `pnpm dev` forwards API calls: a server started with `pnpm --filter @iclood/server start`.
const DEV_API_ORIGIN = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte(), serviceWorkerShell(), precompress()],
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
    rollupOptions: {
      input: {
        index: resolve(import.meta.dirname, 'index.html'),
        [WORKER_ENTRY]: resolve(import.meta.dirname, 'worker/sw.ts'),
      },
      // The worker keeps one name at the root: its scope is the whole site, and browsers look
      // for a new build at the address it was registered with.
      output: {
        entryFileNames: (chunk) => (chunk.name === WORKER_ENTRY ? 'sw.js' : 'assets/[name]-[hash].js'),
      },
    },
  },
  server: {
    proxy: {
      '/api': DEV_API_ORIGIN,
      '/docs': DEV_API_ORIGIN,
      '/ping': DEV_API_ORIGIN,
    },
  },
});
