import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importBoundaries } from './scripts/import-boundaries.js';

/**
 * The house (DESIGN.md): schema ← server; schema ← client ← cli, agent, web; lib/ for
 * everyone; cmd/ wires the roles together and may import any of them, as may tests,
 * benchmarks and scripts.
 */
export const HOUSE = {
  schema: [],
  lib: [],
  server: ['schema', 'lib', 'prisma'],
  client: ['schema', 'lib'],
  cli: ['client', 'schema', 'lib'],
  agent: ['client', 'schema', 'lib'],
  web: ['client', 'schema', 'lib'],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'prisma/generated/**',
      '.data/**',
      '.scratch/**',
      'client/generated/**',
      'web/dist/**',
      'web/src/generated/**',
      'test-artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { house: { rules: { 'import-boundaries': importBoundaries } } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'house/import-boundaries': ['error', { root: import.meta.dirname, allow: HOUSE }],
    },
  },
);
