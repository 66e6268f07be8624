import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: each file starts its own API server, so run two files at a time.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
