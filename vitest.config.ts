import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Vite would load graphql's ESM build for our sources while graphql-yoga gets the
    // CommonJS one from Node: two GraphQLError classes, and yoga would mask our errors.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // expect.poll's default of 1 s is shorter than a live view's list and watch can take
    // on a loaded two-core machine; a poll that never matches still fails, just later.
    expect: { poll: { timeout: 10_000 } },
    // Two cores: each file starts its own API server, so run two files at a time.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
