import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** Svelte 5 in runes mode everywhere; TypeScript in <script lang="ts"> through Vite's esbuild. */
export default {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
};
