import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { cli, decode, expectUsageError } from './support.js';

/** `token mint` with no server running mints for the issuer the last server on the data file had. */
describe('token mint remembers the issuer of the last server on the data file', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  const ISSUER = 'http://op.localhost:4555';

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    const server = await startCli(['--data', data, '--issuer', ISSUER]);
    expect(server.ready.issuer).toBe(ISSUER);
    // A clean stop: the owner file that named the server goes with it.
    server.proc.kill('SIGTERM');
    expect((await server.proc).exitCode).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it('after a clean stop, access and ID tokens carry that issuer', async () => {
    for (const type of ['access', 'id']) {
      const minted = await cli(data, ['token', 'mint', '--user', 'alice', '--type', type]);
      expect(minted.exitCode, minted.stderr).toBe(0);
      expect(decode(minted.stdout.trim()).payload.iss).toBe(ISSUER);
    }
  });

  it('--issuer overrides it; a bad --issuer is a usage error', async () => {
    const minted = await cli(data, ['token', 'mint', '--user', 'alice', '--issuer', 'https://idp.example.test/']);
    expect(minted.exitCode, minted.stderr).toBe(0);
    expect(decode(minted.stdout.trim()).payload.iss).toBe('https://idp.example.test');
    expectUsageError(await cli(data, ['token', 'mint', '--user', 'alice', '--issuer', 'ftp://x']), '--issuer');
  });
});
