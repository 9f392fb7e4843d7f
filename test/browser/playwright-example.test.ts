import { execa } from 'execa';
import { expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

// The README's "Use in tests" points at test/examples/playwright: an app's Playwright suite with
// dev-op in globalSetup, a browser login on dev-op's page. It must keep passing as written.
it('the Playwright example signs in through dev-op\'s login page', async () => {
  const run = await execa('npx', ['playwright', 'test', '--config', 'test/examples/playwright/playwright.config.ts'], {
    cwd: root, reject: false, timeout: 60_000, env: { NO_COLOR: '1', CI: '1' },
  });
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  expect(run.stdout).toMatch(/1 passed/);
}, 70_000);
