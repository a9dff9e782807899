import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    // Generous: a test reads a 200 MB (sparse) video, another runs exiftool; CI machines are shared.
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
