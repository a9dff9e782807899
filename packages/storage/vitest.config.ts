import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    // Generous: some tests stream hundreds of MiB, and CI machines are shared.
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
