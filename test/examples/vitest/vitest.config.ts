import { defineConfig } from 'vitest/config';

// An app's vitest config: one dev-op for the run, started and stopped by globalSetup.
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  test: {
    include: ['**/*.example.ts'],
    globalSetup: ['./global-setup.ts'],
  },
});
