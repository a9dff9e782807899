import { defineConfig } from 'vitest/config';

// Unit tests (test/unit) are pure functions; browser tests (test/browser) start the built server
// and drive Debian's Chromium, one file at a time so two browsers never share the Pi-sized CI box.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
