import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOp, type DevOp } from '../../src/index.js';
import { FormAgent, formAction, inputValue } from '../helpers/browser-like.js';
import { BIN, startCli, tempDir } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { cli, cliJson, expectUsageError } from './support.js';

/**
 * `dev-op login` end to end: the built CLI against a running `dev-op start`. With --auto-login the
 * server redirects the authorization request straight to the CLI's loopback listener, so a plain
 * fetch of the printed URL plays the browser.
 */

type Login = { proc: ResultPromise<{ reject: false }>; url: Promise<string> };

/** Start `dev-op login --no-open …` and resolve the authorization URL it prints on stderr. */
function startLogin(data: string, args: string[] = []): Login {
  const proc = execa('node', [BIN, 'login', '--data', data, '--no-open', ...args], { reject: false, env: { NO_COLOR: '1' } });
  const url = new Promise<string>((resolve, reject) => {
    let stderr = '';
    proc.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /^(http\S+\/auth\?\S+)$/m.exec(stderr);
      if (m) resolve(m[1]!);
    });
    proc.then((r) => reject(new Error(`dev-op login exited ${r.exitCode} before printing a URL: ${r.stderr}`)), reject);
  });
  url.catch(() => undefined);
  return { proc, url };
}

/** Play the browser: GET the URL, follow the OP's redirect to the loopback callback, read the page. */
async function browse(url: string): Promise<{ status: number; html: string; finalUrl: string }> {
  const res = await fetch(url);
  return { status: res.status, html: await res.text(), finalUrl: res.url };
}

/** The last stderr line: what the command said when it stopped. */
const lastLine = (stderr: string) => stderr.trim().split('\n').at(-1)!;

describe('dev-op login with dev-op start --auto-login alice running', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let server: Awaited<ReturnType<typeof startCli>>;
  let issuer: string;

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    server = await startCli(['--data', data, '--auto-login', 'alice']);
    issuer = server.ready.issuer;
  });
  afterAll(async () => {
    server.proc.kill('SIGTERM');
    await server.proc;
    await dir.cleanup();
  });

  const verify = (jwt: string, audience: string) =>
    jwtVerify(jwt, createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience });

  it('--json: registers dev-op-cli on first use, completes the code flow, prints the token response', async () => {
    const login = startLogin(data, ['--json']);
    const url = new URL(await login.url);
    expect(url.origin).toBe(issuer);
    expect(url.searchParams.get('client_id')).toBe('dev-op-cli');
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
    expect(url.searchParams.get('nonce')!.length).toBeGreaterThanOrEqual(32);
    expect(url.searchParams.get('scope')).toBe('openid profile email');

    const page = await browse(url.href);
    expect(page.finalUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?code=/);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Logged in as alice');
    expect(page.html).toContain('You can close this tab');

    const result = await login.proc;
    expect(result.exitCode, result.stderr).toBe(0);
    const tokens = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: expect.any(Number), scope: 'openid profile email' });
    const id = await verify(tokens.id_token as string, 'dev-op-cli');
    expect(id.payload).toMatchObject({ sub: 'alice', iss: issuer, aud: 'dev-op-cli', nonce: url.searchParams.get('nonce') });
    expect((await verify(tokens.access_token as string, 'dev-op-cli')).payload).toMatchObject({ sub: 'alice', client_id: 'dev-op-cli' });
    const me = await fetch(`${issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token as string}` } });
    expect(await me.json()).toMatchObject({ sub: 'alice' });

    const client = await cliJson(data, ['client', 'show', 'dev-op-cli']);
    expect(client).toMatchObject({
      application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
    });
    expect(client.client_secret).toBeUndefined();
  });

  describe.concurrent('once dev-op-cli exists', () => {
    it('plain output in a pipe: label<TAB>value lines; offline_access brings a refresh token that works', async () => {
      const login = startLogin(data, ['--scope', 'openid email offline_access']);
      await browse(await login.url);
      const result = await login.proc;
      expect(result.exitCode, result.stderr).toBe(0);
      const fields = Object.fromEntries(result.stdout.trim().split('\n').map((l) => l.split('\t') as [string, string]));
      expect(Object.keys(fields)).toEqual(['access_token', 'token_type', 'expires', 'refresh_token', 'scope', 'id_token', 'id_token_claims']);
      expect(fields.expires).toMatch(/^in 1h \(\d{4}-\d\d-\d\dT/);
      expect(JSON.parse(fields.id_token_claims!)).toMatchObject({ sub: 'alice', iss: issuer, aud: 'dev-op-cli' });
      expect((await verify(fields.id_token!, 'dev-op-cli')).payload.sub).toBe('alice');
      expect(result.stderr).toContain('logged in as alice');
      expect(result.stderr).not.toContain('registered the public native client'); // registered once, by the first login

      const refreshed = await fetch(`${issuer}/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: fields.refresh_token!, client_id: 'dev-op-cli' }),
      });
      expect(refreshed.status).toBe(200);
    });

    it('on a terminal: the tokens, the expiry and the decoded ID token claims', async () => {
      const command = ['node', BIN, 'login', '--data', data, '--no-open'].map((a) => `'${a}'`).join(' ');
      const proc = execa('script', ['-qfec', command, '/dev/null'], { reject: false, env: { NO_COLOR: '1' } });
      let seen = '';
      const url = await new Promise<string>((resolve, reject) => {
        proc.stdout!.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const m = /(http\S+\/auth\?\S+)/.exec(seen);
          if (m) resolve(m[1]!);
        });
        proc.then((r) => reject(new Error(`exited ${r.exitCode}: ${r.stdout}`)), reject);
      });
      await browse(url);
      const result = await proc;
      expect(result.exitCode, result.stdout).toBe(0);
      expect(result.stdout).toMatch(/access_token\s+eyJ/);
      expect(result.stdout).toMatch(/expires\s+in 1h/);
      expect(result.stdout).toContain('ID token claims');
      expect(result.stdout).toContain('"sub": "alice"');
      expect(result.stdout).toContain('no refresh token'); // the hint: ask for offline_access
    });

    it('--client: a confidential web client with a fixed loopback port authenticates with its secret', async () => {
      const port = await freePort();
      const redirect = `http://127.0.0.1:${port}/cb`;
      await cliJson(data, ['client', 'add', '--id', 'web-loop', '--secret', 's3cret', '--redirect-uri', redirect, '--auth-method', 'client_secret_post']);
      const login = startLogin(data, ['--client', 'web-loop', '--json']);
      const url = new URL(await login.url);
      expect(url.searchParams.get('redirect_uri')).toBe(redirect); // a web client: exactly as registered
      const page = await browse(url.href);
      expect(page.status).toBe(200);
      const result = await login.proc;
      expect(result.exitCode, result.stderr).toBe(0);
      const tokens = JSON.parse(result.stdout) as { id_token: string };
      expect((await verify(tokens.id_token, 'web-loop')).payload.sub).toBe('alice');
    });

    it('--client: a native client of one\'s own (client add --native) logs in on a free port, not the registered one', async () => {
      const added = await cliJson(data, ['client', 'add', '--id', 'mine', '--public', '--native', '--redirect-uri', 'http://127.0.0.1:1/done']);
      expect(added.client).toMatchObject({ application_type: 'native', token_endpoint_auth_method: 'none' });
      const login = startLogin(data, ['--client', 'mine', '--json']);
      const redirect = new URL(await login.url).searchParams.get('redirect_uri')!;
      expect(redirect).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/done$/);
      expect(redirect).not.toBe('http://127.0.0.1:1/done');
      expect((await browse(await login.url)).status).toBe(200);
      const result = await login.proc;
      expect(result.exitCode, result.stderr).toBe(0);
      expect((await verify((JSON.parse(result.stdout) as { id_token: string }).id_token, 'mine')).payload.sub).toBe('alice');
    });

    it('--client with an unknown id: exit 1, one line', async () => {
      expectUsageError(await cli(data, ['login', '--no-open', '--client', 'nobody']), 'client nobody does not exist');
    });

    it('--client without the authorization_code grant: exit 1, one line, before any browser', async () => {
      await cliJson(data, ['client', 'add', '--id', 'svc-only', '--grant', 'client_credentials', '--scope', 'api']);
      expectUsageError(await cli(data, ['login', '--no-open', '--client', 'svc-only']), /client svc-only may not use the authorization_code grant \(its grants: client_credentials\)/);
    });

    it('--client without a loopback redirect URI, or with private_key_jwt: exit 1, one line', async () => {
      await cliJson(data, ['client', 'add', '--id', 'remote', '--public', '--redirect-uri', 'https://app.example.com/cb']);
      expectUsageError(await cli(data, ['login', '--no-open', '--client', 'remote']), 'client remote has no loopback redirect URI');
      await cliJson(data, ['client', 'add', '--id', 'keyed', '--auth-method', 'private_key_jwt', '--jwks-uri', 'http://127.0.0.1:1/jwks', '--redirect-uri', 'http://127.0.0.1:3999/cb']);
      expectUsageError(await cli(data, ['login', '--no-open', '--client', 'keyed']), 'client keyed authenticates with private_key_jwt; dev-op login can use a public client or client_secret_basic / client_secret_post');
    });

    it('an error the server sends back (a scope it refuses) ends the login: exit 1, a clear message, the browser told', async () => {
      const login = startLogin(data, ['--scope', 'openid not-allowed']);
      const page = await browse(await login.url);
      expect(page.status).toBe(400);
      expect(page.html).toContain('Login failed');
      const result = await login.proc;
      expect(result.exitCode).toBe(1);
      expect(lastLine(result.stderr)).toBe('dev-op: the server refused the login: scope not-allowed is not allowed for client dev-op-cli (invalid_scope)');
      expect(result.stdout).toBe('');
    });

    it('a callback with another state is refused: exit 1, and a 400 page for the browser', async () => {
      const login = startLogin(data);
      const url = new URL(await login.url);
      const callback = new URL(url.searchParams.get('redirect_uri')!);
      callback.search = new URLSearchParams({ code: 'x', state: 'forged', iss: issuer }).toString();
      const res = await fetch(callback);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      const result = await login.proc;
      expect(result.exitCode).toBe(1);
      expect(lastLine(result.stderr)).toMatch(/^dev-op: the browser came back with another state than this login sent/);
    });

    it('a denial\'s description is escaped on the page and named in the message', async () => {
      const login = startLogin(data);
      const url = new URL(await login.url);
      const callback = new URL(url.searchParams.get('redirect_uri')!);
      callback.search = new URLSearchParams({
        error: 'access_denied', error_description: '<script>alert(1)</script>', state: url.searchParams.get('state')!, iss: issuer,
      }).toString();
      const res = await fetch(callback);
      const html = await res.text();
      expect(html).not.toContain('<script>');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(lastLine((await login.proc).stderr)).toBe('dev-op: login denied: <script>alert(1)</script>');
    });

    it('an authorization response from another issuer is refused (RFC 9207)', async () => {
      const login = startLogin(data);
      const url = new URL(await login.url);
      const callback = new URL(url.searchParams.get('redirect_uri')!);
      callback.search = new URLSearchParams({ code: 'x', state: url.searchParams.get('state')!, iss: 'http://evil.example' }).toString();
      await fetch(callback);
      const result = await login.proc;
      expect(result.exitCode).toBe(1);
      expect(lastLine(result.stderr)).toContain('names issuer http://evil.example, not');
    });

    it('--timeout: no browser within it is exit 1 with a clear message', async () => {
      const result = await cli(data, ['login', '--no-open', '--timeout', '1s']);
      expect(result.exitCode).toBe(1);
      expect(lastLine(result.stderr)).toMatch(/^dev-op: no answer from the browser within 1 s \(it never came back to http:\/\/127\.0\.0\.1:\d+\/callback\); run dev-op login again$/);
    });

    it('--issuer naming another server than the data file\'s: exit 1, one line', async () => {
      expectUsageError(await cli(data, ['login', '--no-open', '--issuer', 'http://localhost:1']), `has issuer ${issuer}, not http://localhost:1`);
    });
  });
});

describe('dev-op login with no server', () => {
  it('exit 1, one line saying to run dev-op start first; nothing is created', async () => {
    const dir = await tempDir();
    try {
      const data = join(dir.path, 'db.json');
      expectUsageError(await cli(data, ['login', '--no-open']), /no dev-op server is running on .*db\.json; run `dev-op start` first/);
      expectUsageError(await cli(data, ['login', '--no-open', '--client', 'web']), 'run `dev-op start` first');
      const listed = await cli(data, ['client', 'list']);
      expect(listed.stdout).toBe(''); // no data file was made
    } finally {
      await dir.cleanup();
    }
  });
});

describe('dev-op login: the user says no on the consent page', () => {
  it('access_denied: exit 1 with "login denied", the browser told', async () => {
    const dir = await tempDir();
    const data = join(dir.path, 'db.json');
    const server = await startCli(['--data', data]);
    try {
      const login = startLogin(data);
      const agent = new FormAgent();
      let next = await login.url;
      let final: Response | undefined;
      for (let step = 0; step < 8 && !final; step++) {
        const res = await agent.fetch(next);
        if (res.status === 302) {
          next = new URL(res.headers.get('location')!, next).href;
          continue;
        }
        const html = await res.text();
        const loginForm = formAction(html, /\/login$/);
        const consentForm = formAction(html, /\/consent$/);
        if (!loginForm && !consentForm) {
          final = res;
          expect(html).toContain('Login failed');
          break;
        }
        const target = new URL((loginForm ?? consentForm)!, next).href;
        const fields: Record<string, string> = loginForm ? { username: 'alice' } : { decision: 'deny' };
        const posted = await agent.fetch(target, { form: { csrf: inputValue(html, 'csrf')!, ...fields } });
        next = new URL(posted.headers.get('location')!, target).href;
      }
      expect(final?.status).toBe(400);
      const result = await login.proc;
      expect(result.exitCode).toBe(1);
      expect(lastLine(result.stderr)).toBe('dev-op: login denied: the user denied the request');
    } finally {
      server.proc.kill('SIGTERM');
      await server.proc;
      await dir.cleanup();
    }
  });
});

describe('dev-op login --issuer: a server with no owner file here (--memory)', () => {
  let op: DevOp;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    op = await startDevOp({ port: 0, memory: true, autoLogin: 'alice', log: 'none' });
    dir = await tempDir();
  });
  afterAll(async () => {
    await op.stop();
    await dir.cleanup();
  });

  it('without dev-op-cli registered there: exit 1, one line, before any browser', async () => {
    expectUsageError(
      await cli(join(dir.path, 'none.json'), ['login', '--no-open', '--issuer', op.issuer]),
      /does not accept client dev-op-cli with redirect_uri http:\/\/127\.0\.0\.1:\d+\/callback/,
    );
  });

  it('with dev-op-cli registered there as a native client: the login completes', async () => {
    await op.store.addClient({
      client_id: 'dev-op-cli', application_type: 'native', redirect_uris: ['http://127.0.0.1/callback'], post_logout_redirect_uris: [],
      grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none',
    });
    const login = startLogin(join(dir.path, 'none.json'), ['--issuer', `${op.issuer}/`, '--json']);
    expect((await browse(await login.url)).status).toBe(200);
    const result = await login.proc;
    expect(result.exitCode, result.stderr).toBe(0);
    const tokens = JSON.parse(result.stdout) as { id_token: string };
    const { payload } = await jwtVerify(tokens.id_token, createRemoteJWKSet(new URL(`${op.issuer}/jwks`)), { issuer: op.issuer, audience: 'dev-op-cli' });
    expect(payload.sub).toBe('alice');
  });
});
