import { execa } from 'execa';
import { expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

// The README's "Use in tests" points at test/examples/vitest: it must keep working as written,
// against the built package (dist/, which `npm test` builds first), imported as `dev-op`.
it('the vitest globalSetup example passes as an app would run it', async () => {
  const run = await execa('npx', ['vitest', 'run', '--config', 'test/examples/vitest/vitest.config.ts'], {
    cwd: root, reject: false, timeout: 60_000, env: { NO_COLOR: '1', CI: '1' },
  });
  expect(run.exitCode, run.stdout + run.stderr).toBe(0);
  expect(run.stdout).toMatch(/Tests\s+3 passed \(3\)/);
}, 70_000);
