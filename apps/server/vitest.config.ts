import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
    // Generous: a test that creates an embedded database waits for it, and CI machines are shared.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    // @fastify/autoload imports the route files itself; inlined, its import() goes through
    // vitest, which compiles the .ts sources (left to Node, it would not load .ts at all).
    server: { deps: { inline: ['@fastify/autoload'] } },
  },
});
