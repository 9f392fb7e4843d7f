import { defineConfig } from 'vitest/config';

// Two projects: `unit` (HTTP, CLI, store — needs nothing but Node) and `browser` (needs Chromium).
export default defineConfig({
  // Config lives in test/ to keep the top level to what the project layout names.
  root: new URL('..', import.meta.url).pathname,
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**', 'node_modules/**'],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
