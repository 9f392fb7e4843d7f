import { execa } from 'execa';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, devOp, tempDir } from '../helpers/cli.js';
import { basic } from '../provider/support.js';
import { rawHttp, readDataFile, startServerProcess, type ServerProcess } from '../reliability/support.js';
import { Browser, formAction, inputValue, location } from './support.js';

/**
 * Secrets at rest and in transit to the logs: passwords stored as scrypt hashes; the data file,
 * the owner file (with the admin token) and their folder private to the user, whatever the umask;
 * the admin endpoint refuses anyone without the token; the request log never shows a secret,
 * password, code or token.
 */

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const PASSWORD = 'Tr0ub4dor&3-pw';

describe('secrets', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let data: string;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'state', 'db.json');
  });
  afterAll(async () => {
    await server?.stop();
    await dir.cleanup();
  });

  it('user add --password stores an scrypt hash, without and with a running server (it signs in: see the log test)', async () => {
    const offline = await devOp(['user', 'add', 'bob', '--password', PASSWORD, '--data', data]);
    expect(offline.exitCode, offline.stderr).toBe(0);
    const text = await readFile(data, 'utf8');
    expect(text).not.toContain(PASSWORD);
    const bob = (await readDataFile(data)).users.find((u: { username: string }) => u.username === 'bob');
    expect(bob.password).toMatch(/^scrypt\$\d+\$[\w-]{16,}\$[\w-]{40,}$/);

    server = await startServerProcess(['--data', data, '--log-format', 'json']);
    const online = await devOp(['user', 'add', 'carol', '--password', `${PASSWORD}-2`, '--data', data]);
    expect(online.exitCode, online.stderr).toBe(0);
    const carol = (await readDataFile(data)).users.find((u: { username: string }) => u.username === 'carol');
    expect(carol.password).toMatch(/^scrypt\$/);
    expect(await readFile(data, 'utf8')).not.toContain(`${PASSWORD}-2`);
    // Neither `user show` nor `user list` gives the hash away.
    const shown = await devOp(['user', 'show', 'bob', '--json', '--data', data]);
    expect(shown.stdout).not.toContain(bob.password);
    expect(shown.stdout).not.toContain(PASSWORD);
  });

  it('the data file, the owner file with the admin token and their folder are private (0600/0700), even with umask 000', async () => {
    expect(await mode(data)).toBe(0o600);
    expect(await mode(`${data}.owner.json`)).toBe(0o600);
    expect(await mode(join(dir.path, 'state'))).toBe(0o700);
    const loose = join(dir.path, 'loose', 'db.json');
    const add = await execa('sh', ['-c', `umask 000 && node "${BIN}" client add --id u --redirect-uri http://localhost:3000/cb --data "${loose}"`], { reject: false });
    expect(add.exitCode, add.stderr).toBe(0);
    expect(await mode(loose)).toBe(0o600);
    expect(await mode(join(dir.path, 'loose'))).toBe(0o700);
    const started = execa('sh', ['-c', `umask 000 && exec node "${BIN}" start --port 0 --json --quiet --data "${loose}"`], { reject: false });
    await new Promise<void>((resolve) => started.stdout!.once('data', () => resolve()));
    expect(await mode(`${loose}.owner.json`)).toBe(0o600);
    expect(await mode(loose)).toBe(0o600);
    started.kill('SIGTERM');
    expect((await started).exitCode).toBe(0);
  });

  it('the admin endpoint refuses every request without the token from the owner file', async () => {
    const { port } = server!.ready;
    const { adminToken } = JSON.parse(await readFile(`${data}.owner.json`, 'utf8'));
    const body = JSON.stringify({ op: 'user.list', input: {} });
    const attempt = (headers: [string, string][], target = '/_admin') =>
      rawHttp(port, { method: 'POST', target, headers: [['Host', `127.0.0.1:${port}`], ['Content-Type', 'application/json'], ...headers], body });
    const refusals: [string, [string, string][], string?][] = [
      ['no Authorization', []],
      ['a wrong token', [['Authorization', 'Bearer not-the-token']]],
      ['a token one character off', [['Authorization', `Bearer ${adminToken.slice(0, -1)}${adminToken.endsWith('A') ? 'B' : 'A'}`]]],
      ['a prefix of the token', [['Authorization', `Bearer ${adminToken.slice(0, 8)}`]]],
      ['the token as Basic credentials', [['Authorization', `Basic ${Buffer.from(`${adminToken}:`).toString('base64')}`]]],
      ['the token in the query string', [], `/_admin?access_token=${adminToken}`],
      ['the token in a cookie', [['Cookie', `token=${adminToken}`]]],
      ['an empty Bearer', [['Authorization', 'Bearer ']]],
    ];
    for (const [label, headers, target] of refusals) {
      const res = await attempt(headers, target);
      expect(res.status, label).toBe(401);
      expect(res.body, label).not.toContain('"result"');
    }
    expect((await attempt([['Authorization', `Bearer ${adminToken}`]])).status).toBe(200);
    // The right token through a foreign Host (a DNS-rebinding page) is refused too.
    const rebound = await rawHttp(port, {
      method: 'POST', target: '/_admin', headers: [['Host', 'evil.example'], ['Content-Type', 'application/json'], ['Authorization', `Bearer ${adminToken}`]], body,
    });
    expect(rebound.status).toBe(421);
    console.log(`admin endpoint: ${refusals.length + 1} unauthorised attempts refused`);
  });

  it('the request log (--log-format json) never holds a secret, password, code or token', async () => {
    const { port } = server!.ready;
    const base = `http://127.0.0.1:${port}`;
    const secrets: string[] = [PASSWORD, `${PASSWORD}-2`];
    const add = await devOp(['client', 'add', '--id', 'web', '--redirect-uri', 'http://localhost:3000/cb', '--grant', 'authorization_code',
      '--grant', 'refresh_token', '--grant', 'password', '--grant', 'client_credentials', '--grant', 'device_code', '--scope', 'api',
      '--auth-method', 'client_secret_post', '--post-logout-redirect-uri', 'http://localhost:3000/', '--json', '--data', data]);
    expect(add.exitCode, add.stderr).toBe(0);
    const webSecret = JSON.parse(add.stdout).client.client_secret as string;
    const file = await readDataFile(data);
    const appSecret = file.clients.find((c: { client_id: string }) => c.client_id === 'app').client_secret as string;
    const { adminToken } = JSON.parse(await readFile(`${data}.owner.json`, 'utf8'));
    secrets.push(webSecret, appSecret, adminToken);
    const post = async (path: string, form: Record<string, string>, auth?: string) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) },
        body: new URLSearchParams(form).toString(),
      });
      const text = await res.text();
      return (text ? JSON.parse(text) : {}) as Record<string, string>;
    };
    const collect = (t: Record<string, string>) => {
      for (const k of ['access_token', 'refresh_token', 'id_token', 'device_code', 'user_code']) if (t[k]) secrets.push(t[k]!);
      return t;
    };

    // Code flow in a browser, signing in with a password; the code exchange with client_secret_basic.
    const browser = new Browser();
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
    const auth = `${base}/auth?${new URLSearchParams({
      client_id: 'app', redirect_uri: 'http://localhost:3000/callback', response_type: 'code', scope: 'openid offline_access', state: 'st', nonce: 'nn',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    })}`;
    const interaction = location(await browser.fetch(auth)).replace(/^http:\/\/localhost:/, 'http://127.0.0.1:');
    const login = await browser.page(interaction);
    secrets.push(inputValue(login, 'csrf')!);
    location(await browser.fetch(formAction(login, /\/login$/)!.replace('localhost', '127.0.0.1'), { form: { csrf: inputValue(login, 'csrf')!, username: 'bob', password: PASSWORD } }));
    const consent = await browser.page(interaction);
    const callback = new URL(location(await browser.fetch(formAction(consent, /\/consent$/)!.replace('localhost', '127.0.0.1'), { form: { csrf: inputValue(consent, 'csrf')!, decision: 'allow' } })));
    const code = callback.searchParams.get('code')!;
    secrets.push(code, ...[...browser.jar.values()].filter((v) => v.length > 10));
    const tokens = collect(await post('/token', { grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:3000/callback', code_verifier: verifier }, basic('app', appSecret)));
    secrets.push(verifier);
    expect(tokens.access_token).toBeTruthy();
    collect(await post('/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, basic('app', appSecret)));
    await fetch(`${base}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    await post('/me', { access_token: tokens.access_token! });
    await post('/token/introspection', { token: tokens.access_token! }, basic('app', appSecret));
    await post('/token/revocation', { token: tokens.refresh_token! }, basic('app', appSecret));
    await fetch(`${base}/session/end?${new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'http://localhost:3000' })}`, { redirect: 'manual' });
    // client_secret_post (the secret in the body), the password grant, the device flow.
    collect(await post('/token', { grant_type: 'client_credentials', client_id: 'web', client_secret: webSecret }));
    const byPassword = collect(await post('/token', { grant_type: 'password', username: 'bob', password: PASSWORD, scope: 'openid', client_id: 'web', client_secret: webSecret }));
    expect(byPassword.access_token, 'the hashed password verifies').toBeTruthy();
    const device = collect(await post('/device/auth', { client_id: 'web', client_secret: webSecret, scope: 'openid' }));
    expect(device.device_code).toBeTruthy();
    await post('/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code!, client_id: 'web', client_secret: webSecret });
    await fetch(`${base}/device?user_code=${device.user_code}`);
    // A management command through the admin endpoint (the token in its header).
    expect((await devOp(['user', 'list', '--data', data])).exitCode).toBe(0);

    await new Promise((r) => setTimeout(r, 100));
    const log = server!.stderr();
    const lines = log.split('\n').filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(15);
    for (const path of ['/token', '/auth', '/me', '/device/auth', '/_admin', '/session/end']) expect(log).toContain(`"path":"${path}"`);
    const leaked = [...new Set(secrets)].filter((s) => s.length >= 6 && log.includes(s));
    expect(leaked).toEqual([]);
    console.log(`request log: ${lines.length} lines checked for ${new Set(secrets).size} secrets, codes and tokens`);
  });
});
