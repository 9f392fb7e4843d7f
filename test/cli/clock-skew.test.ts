import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverForSuite, tempDir } from '../helpers/cli.js';
import { cli, cliJson, decode, expectUsageError } from './support.js';

/** `dev-op start --clock-skew` moves the running server's clock: tokens it mints say so. */
describe('dev-op start --clock-skew 5m', () => {
  const op = serverForSuite(() => ['--clock-skew', '5m']);

  it('a token minted through the running server has iat ~5 minutes ahead', async () => {
    const minted = await cliJson<{ token: string }>(op.data, ['token', 'mint', '--user', 'alice']);
    const ahead = decode(minted.token).payload.iat - Date.now() / 1000;
    expect(ahead).toBeGreaterThan(295);
    expect(ahead).toBeLessThan(305);
  });
});

describe('dev-op start --clock-skew=-5m', () => {
  const op = serverForSuite(() => ['--clock-skew=-5m']);

  it('runs the clock behind', async () => {
    const minted = await cliJson<{ token: string }>(op.data, ['token', 'mint', '--user', 'alice']);
    const behind = Date.now() / 1000 - decode(minted.token).payload.iat;
    expect(behind).toBeGreaterThan(295);
    expect(behind).toBeLessThan(305);
  });
});

describe('a bad --clock-skew', () => {
  it('stops start with one line and exit 1', async () => {
    const tmp = await tempDir();
    try {
      expectUsageError(await cli(join(tmp.path, 'db.json'), ['start', '--memory', '--port', '0', '--clock-skew', 'later']), '--clock-skew later');
    } finally {
      await tmp.cleanup();
    }
  });
});
