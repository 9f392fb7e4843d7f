import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { BIN, devOp, serverForSuite, tempDir } from '../helpers/cli.js';
import { parseStartConfig } from '../../src/config/project-config.js';
import { cliJson, expectUsageError } from './support.js';

const basic = `Basic ${Buffer.from('spa:spa-secret').toString('base64')}`;
const token = (issuer: string, form: Record<string, string>) => fetch(`${issuer}/token`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: new URLSearchParams(form).toString(),
});

/** A refresh token for bob through the password grant of client spa. */
async function refreshToken(issuer: string): Promise<string> {
  const res = await token(issuer, { grant_type: 'password', username: 'bob', password: 'b0b-pw', scope: 'openid offline_access' });
  expect(res.status).toBe(200);
  return ((await res.json()) as { refresh_token: string }).refresh_token;
}

describe('dev-op start --refresh-reuse-interval 2s', () => {
  const server = serverForSuite(() => ['--refresh-reuse-interval', '2s']);

  it('parallel refreshes of one token all succeed', async () => {
    await cliJson(server.data, ['client', 'add', '--id', 'spa', '--secret', 'spa-secret', '--grant', 'password', '--grant', 'refresh_token']);
    await cliJson(server.data, ['user', 'add', 'bob', '--password', 'b0b-pw']);
    const rt = await refreshToken(server.issuer);
    const results = await Promise.all(Array.from({ length: 10 }, () => token(server.issuer, { grant_type: 'refresh_token', refresh_token: rt })));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
  });
});

describe('--refresh-reuse-interval input', () => {
  it('a value that is not a duration stops start with one line naming the flag', async () => {
    expectUsageError(await devOp(['start', '--memory', '--port', '0', '--json', '--refresh-reuse-interval', 'soon']), '--refresh-reuse-interval soon');
  });

  it('the config file key refreshReuseInterval takes "2s" or seconds, and is checked', async () => {
    expect(parseStartConfig({ refreshReuseInterval: '2s' }, 'dev-op.config.json')).toEqual({ refreshReuseInterval: '2s' });
    expect(parseStartConfig({ refreshReuseInterval: 3 }, 'dev-op.config.json')).toEqual({ refreshReuseInterval: 3 });
    expect(() => parseStartConfig({ refreshReuseInterval: true }, 'dev-op.config.json')).toThrow('refreshReuseInterval: must be a duration');
    const dir = await tempDir();
    try {
      await writeFile(join(dir.path, 'dev-op.config.json'), JSON.stringify({ memory: true, refreshReuseInterval: 'later' }));
      const result = await execa('node', [BIN, 'start', '--port', '0', '--json'], { cwd: dir.path, reject: false, env: { NO_COLOR: '1' } });
      expectUsageError(result, 'later');
    } finally {
      await dir.cleanup();
    }
  });
});
