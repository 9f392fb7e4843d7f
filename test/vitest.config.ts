import { defineConfig } from 'vitest/config';

// Three projects: `unit` (HTTP, CLI, store — needs nothing but Node), `browser` (needs Chromium) and
// `redis` (needs the redis-server binary; each test file starts its own server).
export default defineConfig({
  // Config lives in test/ to keep the top level to what the project layout names.
  root: new URL('..', import.meta.url).pathname,
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**', 'test/redis/**', 'node_modules/**'],
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
      {
        test: {
          name: 'redis',
          include: ['test/redis/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
