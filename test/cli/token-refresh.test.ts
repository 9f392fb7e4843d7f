import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { BIN, serverForSuite } from '../helpers/cli.js';
import { cli, expectUsageError, project } from './support.js';

/**
 * `dev-op login --print` and `dev-op token refresh`, end to end against `dev-op start --auto-login
 * alice`: the server redirects the authorization request straight to the CLI's loopback listener,
 * so a plain fetch of the URL the CLI prints plays the browser.
 */

/** Run `dev-op login --no-open <args>`, play the browser, and return its result. */
async function login(data: string, args: string[]) {
  const proc = execa('node', [BIN, 'login', '--data', data, '--no-open', ...args], { reject: false, env: { NO_COLOR: '1' } });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /^(http\S+\/auth\?\S+)$/m.exec(stderr);
      if (m) resolve(m[1]!);
    });
    proc.then((r) => reject(new Error(`dev-op login exited ${r.exitCode}: ${r.stderr}`)), reject);
  });
  await (await fetch(url)).text();
  return proc;
}

describe('dev-op login --print / dev-op token refresh', () => {
  const op = serverForSuite(() => ['--auto-login', 'alice']);

  const verify = (jwt: string) => jwtVerify(jwt, createRemoteJWKSet(new URL(`${op.issuer}/jwks`)), { issuer: op.issuer, audience: 'dev-op-cli' });

  it('token refresh before any login: exit 1, one line saying to log in first', async () => {
    expectUsageError(await cli(op.data, ['token', 'refresh']), 'run dev-op login first');
  });

  it('login --print access_token prints the access token alone; the tokens are kept 0600 for token refresh, which prints new ones', async () => {
    const result = await login(op.data, ['--scope', 'openid email offline_access', '--print', 'access_token']);
    expect(result.exitCode, result.stderr).toBe(0);
    const access = result.stdout;
    expect(access).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await verify(access)).payload.sub).toBe('alice');
    const me = await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${access}` } });
    expect(await me.json()).toMatchObject({ sub: 'alice' });

    const record = `${op.data}.login.json`;
    expect((await stat(record)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(record, 'utf8'));
    expect(saved).toMatchObject({ issuer: op.issuer, client_id: 'dev-op-cli', tokens: { access_token: access, refresh_token: expect.any(String) } });

    const refreshed = await cli(op.data, ['token', 'refresh', '--print', 'access_token']);
    expect(refreshed.exitCode, refreshed.stderr).toBe(0);
    expect(refreshed.stdout).not.toBe(access);
    expect((await verify(refreshed.stdout)).payload.sub).toBe('alice');
    const after = JSON.parse(await readFile(record, 'utf8'));
    expect(after.tokens.access_token).toBe(refreshed.stdout);
    // Rotation (the default): the old refresh token was spent, the kept one is the new one.
    expect(after.tokens.refresh_token).not.toBe(saved.tokens.refresh_token);
    expect((await stat(record)).mode & 0o777).toBe(0o600);

    // Again, with --json: the kept token was the live one.
    const again = await cli(op.data, ['token', 'refresh', '--json']);
    expect(again.exitCode, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: expect.stringMatching(/^bearer$/i) });
  });

  it('login --print id_token prints the ID token alone; --print refresh_token without offline_access is exit 1 saying how to get one', async () => {
    const id = await login(op.data, ['--print', 'id_token']);
    expect(id.exitCode, id.stderr).toBe(0);
    expect((await verify(id.stdout)).payload).toMatchObject({ sub: 'alice', aud: 'dev-op-cli' });

    const none = await login(op.data, ['--scope', 'openid', '--print', 'refresh_token']);
    expect(none.exitCode).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr.trim().split('\n').at(-1)).toBe('dev-op: the token response has no refresh_token; ask for one with --scope "openid offline_access"');
    // That login's tokens are the last ones now: token refresh says there is nothing to refresh with.
    expectUsageError(await cli(op.data, ['token', 'refresh']), 'the last dev-op login got no refresh token');
  });

  it('--print with another name: exit 1, one line listing the choices', async () => {
    expectUsageError(await cli(op.data, ['login', '--print', 'code']), /access_token, id_token, refresh_token/);
  });
});

describe('dev-op token refresh and a login file another user could have written', () => {
  it('refuses a login file others may write (it names the issuer the client secret is sent to), and sends nothing', async () => {
    const p = await project();
    try {
      await cli(p.data, ['client', 'add', '--id', 'web', '--secret', 'web-secret', '--redirect-uri', 'http://localhost:3000/cb']);
      const planted = { issuer: 'http://127.0.0.1:9/', client_id: 'web', tokens: { refresh_token: 'x' }, received_at: '' };
      await writeFile(`${p.data}.login.json`, JSON.stringify(planted), { mode: 0o666 });
      await chmod(`${p.data}.login.json`, 0o666);
      expectUsageError(await cli(p.data, ['token', 'refresh']), /refusing to trust .*\.login\.json/);
    } finally {
      await p.cleanup();
    }
  });
});
