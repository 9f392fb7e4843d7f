import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

// An app's Playwright config: dev-op and the app start in globalSetup; the browser is the
// system's Chromium (no Playwright browser download).
export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  globalSetup: './global-setup.ts',
  reporter: 'line',
  outputDir: join(tmpdir(), 'dev-op-playwright-example'), // traces and screenshots, outside the repo
  workers: 1,
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    },
  },
});
