import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    // Generous: tests that create an embedded database wait for it, and CI machines are shared.
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
