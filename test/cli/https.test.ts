import { X509Certificate } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueCa, issueLeaf } from '../../src/keys/tls/issue.js';
import { execa } from 'execa';
import { BIN, devOp, startCli, tempDir } from '../helpers/cli.js';
import { clientCredentialsInChild, httpsFetch, httpsGet } from '../helpers/https.js';
import { cli, cliJson, expectUsageError } from './support.js';

type Started = Awaited<ReturnType<typeof startCli>>;

describe('dev-op start --https', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  const running: Started['proc'][] = [];
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    for (const proc of running.splice(0)) {
      proc.kill('SIGTERM');
      await proc;
    }
    await dir.cleanup();
  });

  async function start(args: string[]): Promise<Started['ready'] & { ca?: string }> {
    const started = await startCli(args);
    running.push(started.proc);
    return started.ready;
  }

  async function stopAll(): Promise<void> {
    for (const proc of running.splice(0)) {
      proc.kill('SIGTERM');
      expect((await proc).exitCode).toBe(0);
    }
  }

  it('serves an https issuer that openid-client accepts when NODE_EXTRA_CA_CERTS names the printed CA', async () => {
    const data = join(dir.path, 'db.json');
    const added = await cliJson<{ client: { client_id: string; client_secret: string } }>(data, ['client', 'add', '--id', 'svc', '--grant', 'client_credentials']);
    const readyFile = join(dir.path, 'ready.json');
    const ready = await start(['--https', '--data', data, '--ready-file', readyFile]);
    expect(ready.issuer).toBe(`https://localhost:${ready.port}`);
    expect(ready.ca).toBe(join(dir.path, 'tls', 'ca.pem'));
    // A CI job reading the ready file learns the CA to trust as well.
    expect(JSON.parse(await readFile(readyFile, 'utf8'))).toMatchObject({ issuer: ready.issuer, ca: ready.ca });

    const rp = await clientCredentialsInChild(ready.issuer, 'svc', added.client.client_secret, { NODE_EXTRA_CA_CERTS: ready.ca! });
    expect(rp.exitCode, rp.stderr).toBe(0);
    const result = JSON.parse(rp.stdout) as { issuer: string; token_type: string; access_token: string };
    expect(result.issuer).toBe(ready.issuer);
    expect(result.token_type.toLowerCase()).toBe('bearer');
    expect(result.access_token.split('.')).toHaveLength(3);

    // The trust is real: without the CA the same relying party refuses the server.
    const untrusted = await clientCredentialsInChild(ready.issuer, 'svc', added.client.client_secret, {});
    expect(untrusted.exitCode).toBe(1);
    expect(untrusted.stderr).toMatch(/certificate/i);
  });

  it('prints the https issuer, the CA path and the NODE_EXTRA_CA_CERTS hint in the banner', async () => {
    const data = join(dir.path, 'db.json');
    const proc = execa('node', [BIN, 'start', '--https', '--port', '0', '--data', data, '--quiet'], { reject: false, env: { NO_COLOR: '1' } });
    running.push(proc);
    let out = '';
    await new Promise<void>((resolve) => proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ctrl+C')) resolve();
    }));
    const ca = join(dir.path, 'tls', 'ca.pem');
    expect(out).toMatch(/Issuer\s+https:\/\/localhost:\d+/);
    expect(out).toMatch(new RegExp(`CA\\s+${ca.replace(/[.]/g, '\\.')}`));
    expect(out).toContain(`NODE_EXTRA_CA_CERTS=${ca}`);
  });

  it('makes the CA and certificate once (keys 0600) and reuses them on the next start', async () => {
    const data = join(dir.path, 'db.json');
    const tls = join(dir.path, 'tls');
    const first = await start(['--https', '--data', data]);
    const ca = await readFile(join(tls, 'ca.pem'), 'utf8');
    const cert = await readFile(join(tls, 'cert.pem'), 'utf8');
    expect((await stat(join(tls, 'key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(tls, 'ca-key.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(tls, '.gitignore'), 'utf8')).toBe('*\n');
    const leaf = new X509Certificate(cert);
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('::1')).toBe('::1');
    expect(leaf.verify(new X509Certificate(ca).publicKey)).toBe(true);
    // Served over both loopback addresses.
    for (const host of ['127.0.0.1', '[::1]']) {
      const res = await httpsGet(`https://${host}:${first.port}/.well-known/openid-configuration`, ca);
      expect(JSON.parse(res.body).issuer).toBe(first.issuer);
    }
    await stopAll();

    const second = await start(['--https', '--data', data]);
    expect(await readFile(join(tls, 'ca.pem'), 'utf8')).toBe(ca);
    expect(await readFile(join(tls, 'cert.pem'), 'utf8')).toBe(cert);
    const res = await httpsGet(`${second.issuer}/.well-known/openid-configuration`, ca);
    expect(res.status).toBe(200);
  });

  it('loads the x509 library only to make a certificate: a start with the files in place does without it', async () => {
    // A module hook makes importing @peculiar/x509 (or its polyfill) fail.
    const hooks = join(dir.path, 'hooks.mjs');
    await writeFile(hooks, `export async function resolve(specifier, context, next) {
  if (specifier === '@peculiar/x509' || specifier === 'reflect-metadata') throw new Error(specifier + ' was imported');
  return next(specifier, context);
}`);
    const register = join(dir.path, 'register.mjs');
    await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const env = { NODE_OPTIONS: `--import=${pathToFileURL(register).href}`, NO_COLOR: '1' };
    const data = join(dir.path, 'db.json');
    const startArgs = ['start', '--https', '--port', '0', '--json', '--quiet', '--data', data];

    const blocked = await execa('node', [BIN, ...startArgs], { reject: false, env });
    expect(blocked.exitCode).toBe(1);
    expect(blocked.stderr).toContain('was imported');

    await start(['--https', '--data', data]);
    await stopAll();
    const again = execa('node', [BIN, ...startArgs], { reject: false, env });
    running.push(again);
    const line = await new Promise<string>((resolve, reject) => {
      again.stdout!.on('data', (chunk: Buffer) => resolve(chunk.toString().split('\n')[0]!));
      again.then((r) => reject(new Error(`dev-op start exited ${r.exitCode}: ${r.stderr}`)), reject);
    });
    const ready = JSON.parse(line) as { issuer: string; ca: string };
    const res = await httpsGet(`${ready.issuer}/.well-known/openid-configuration`, await readFile(ready.ca, 'utf8'));
    expect(JSON.parse(res.body).issuer).toBe(ready.issuer);
  });

  it('issues a new certificate from the same CA when the old one is gone or does not name the issuer host', async () => {
    const data = join(dir.path, 'db.json');
    const tls = join(dir.path, 'tls');
    await start(['--https', '--data', data]);
    await stopAll();
    const ca = await readFile(join(tls, 'ca.pem'), 'utf8');
    const cert = await readFile(join(tls, 'cert.pem'), 'utf8');

    await rm(join(tls, 'key.pem'));
    await start(['--https', '--data', data]);
    await stopAll();
    const replaced = await readFile(join(tls, 'cert.pem'), 'utf8');
    expect(replaced).not.toBe(cert);

    const ready = await start(['--https', '--data', data, '--issuer', 'https://op.test:4443']);
    expect(ready.issuer).toBe('https://op.test:4443');
    const forIssuer = new X509Certificate(await readFile(join(tls, 'cert.pem'), 'utf8'));
    expect(forIssuer.checkHost('op.test')).toBe('op.test');
    expect(forIssuer.checkHost('localhost')).toBe('localhost');
    expect(await readFile(join(tls, 'ca.pem'), 'utf8')).toBe(ca);
  });

  it('sets Secure on cookies', async () => {
    const data = join(dir.path, 'db.json');
    await cliJson(data, ['client', 'add', '--id', 'web', '--redirect-uri', 'http://localhost:3000/cb']);
    const ready = await start(['--https', '--data', data]);
    const ca = await readFile(ready.ca!, 'utf8');
    const res = await httpsGet(`${ready.issuer}/auth?client_id=web&response_type=code&scope=openid&redirect_uri=${encodeURIComponent('http://localhost:3000/cb')}`, ca);
    expect(res.status).toBe(302);
    const cookies = res.headers['set-cookie'] as string[];
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) expect(cookie).toMatch(/;\s*secure/i);
  });

  it('applies management commands live through the TLS server', async () => {
    const data = join(dir.path, 'db.json');
    const ready = await start(['--https', '--data', data]);
    const added = await cliJson<{ client: { client_secret: string } }>(data, ['client', 'add', '--id', 'late', '--grant', 'client_credentials']);
    const rp = await clientCredentialsInChild(ready.issuer, 'late', added.client.client_secret, { NODE_EXTRA_CA_CERTS: ready.ca! });
    expect(rp.exitCode, rp.stderr).toBe(0);

    // The admin client pins the certificate the owner file names: another one is refused, nothing sent.
    const owner = join(dir.path, 'db.json.owner.json');
    const recorded = JSON.parse(await readFile(owner, 'utf8')) as { tlsFingerprint: string };
    expect(recorded.tlsFingerprint).toBe(new X509Certificate(await readFile(join(dir.path, 'tls', 'cert.pem'))).fingerprint256);
    await writeFile(owner, JSON.stringify({ ...recorded, tlsFingerprint: 'AA:BB' }));
    expectUsageError(await cli(data, ['client', 'add', '--id', 'later', '--grant', 'client_credentials']), 'presented a certificate other than the one it recorded');
  });

  it('dev-op login completes against an --https server found through the data file', async () => {
    const data = join(dir.path, 'db.json');
    const ready = await start(['--https', '--auto-login', 'alice', '--data', data]);
    const login = execa('node', [BIN, 'login', '--data', data, '--no-open', '--json'], { reject: false, env: { NO_COLOR: '1' } });
    running.push(login);
    const url = await new Promise<URL>((resolve, reject) => {
      let stderr = '';
      login.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /^(https\S+\/auth\?\S+)$/m.exec(stderr);
        if (m) resolve(new URL(m[1]!));
      });
      login.then((r) => reject(new Error(`dev-op login exited ${r.exitCode}: ${r.stderr}`)), reject);
    });
    expect(url.origin).toBe(ready.issuer);
    // The browser (which trusts the CA) is sent on to the CLI's plain-http loopback callback.
    const authorization = await httpsFetch(await readFile(ready.ca!, 'utf8'))(url.href, { redirect: 'manual' });
    expect(authorization.status).toBe(302);
    const callback = await fetch(authorization.headers.get('location')!);
    expect(await callback.text()).toContain('Logged in as alice');
    const result = await login;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    const tokens = JSON.parse(String(result.stdout)) as { id_token: string; access_token: string };
    expect(JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString())).toMatchObject({ iss: ready.issuer, sub: 'alice' });
  });

  it('dev-op token get and token refresh reach an --https server through the data file, with no CA setup', async () => {
    const data = join(dir.path, 'db.json');
    await cliJson(data, ['client', 'add', '--id', 'svc', '--grant', 'client_credentials']);
    await start(['--https', '--auto-login', 'alice', '--data', data]);
    const got = await cli(data, ['token', 'get', '--client', 'svc']);
    expect(got.exitCode, got.stderr).toBe(0);
    expect(got.stdout.trim().split('.')).toHaveLength(3);

    // A login with a refresh token, then token refresh through the same pinned connection.
    const login = execa('node', [BIN, 'login', '--data', data, '--no-open', '--json', '--scope', 'openid offline_access'], { reject: false, env: { NO_COLOR: '1' } });
    running.push(login);
    const url = await new Promise<URL>((resolve, reject) => {
      let stderr = '';
      login.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const m = /^(https\S+\/auth\?\S+)$/m.exec(stderr);
        if (m) resolve(new URL(m[1]!));
      });
      login.then((r) => reject(new Error(`dev-op login exited ${r.exitCode}: ${r.stderr}`)), reject);
    });
    const ca = await readFile(join(dir.path, 'tls', 'ca.pem'), 'utf8');
    let next = await httpsFetch(ca)(url.href, { redirect: 'manual' });
    // With offline_access the consent may be asked: follow the OP's own redirects until the callback.
    while (next.status >= 300 && next.status < 400 && new URL(next.headers.get('location')!, url).origin === url.origin) {
      next = await httpsFetch(ca)(new URL(next.headers.get('location')!, url).href, { redirect: 'manual' });
    }
    await fetch(next.headers.get('location')!);
    expect((await login).exitCode).toBe(0);
    const refreshed = await cli(data, ['token', 'refresh', '--json']);
    expect(refreshed.exitCode, refreshed.stderr).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toHaveProperty('access_token');
  });

  describe('--cert/--key', () => {
    async function ownPair(name = 'own') {
      const now = new Date();
      const ca = await issueCa(now);
      const leaf = await issueLeaf(ca, { dns: ['localhost'], ip: ['127.0.0.1'] }, now);
      const paths = { ca: join(dir.path, `${name}-ca.pem`), cert: join(dir.path, `${name}.pem`), key: join(dir.path, `${name}-key.pem`) };
      await writeFile(paths.ca, ca.cert);
      await writeFile(paths.cert, leaf.cert);
      await writeFile(paths.key, leaf.key);
      return { ca, leaf, paths };
    }

    it('serves the given certificate and makes no CA of its own', async () => {
      const { ca, leaf, paths } = await ownPair();
      const data = join(dir.path, 'db.json');
      const ready = await start(['--cert', paths.cert, '--key', paths.key, '--data', data]);
      expect(ready.issuer).toBe(`https://localhost:${ready.port}`);
      expect(ready.ca).toBeUndefined();
      const res = await httpsGet(`${ready.issuer}/.well-known/openid-configuration`, ca.cert);
      expect(JSON.parse(res.body).issuer).toBe(ready.issuer);
      expect(new X509Certificate(leaf.cert).checkHost('localhost')).toBe('localhost');
      await expect(stat(join(dir.path, 'tls'))).rejects.toThrow();
    });

    it('refuses a key that is not the certificate\'s, with a clear message', async () => {
      const { paths } = await ownPair();
      const mismatched = (await ownPair('other')).paths.key;
      const data = join(dir.path, 'db.json');
      const result = await devOp(['start', '--port', '0', '--cert', paths.cert, '--key', mismatched, '--data', data]);
      expectUsageError(result, `--key ${mismatched} is not the private key of the certificate in --cert ${paths.cert}`);
      // Checked before the data file is touched: nothing was created.
      await expect(stat(data)).rejects.toThrow();
    });

    it('refuses unreadable or non-PEM files, and one flag without the other', async () => {
      const { paths } = await ownPair();
      const data = join(dir.path, 'db.json');
      const missing = join(dir.path, 'nope.pem');
      expectUsageError(await cli(data, ['start', '--port', '0', '--cert', missing, '--key', paths.key]), `cannot read --cert ${missing}: no such file`);
      expectUsageError(await cli(data, ['start', '--port', '0', '--cert', paths.key, '--key', paths.key]), `--cert ${paths.key} is not a PEM certificate`);
      expectUsageError(await cli(data, ['start', '--port', '0', '--cert', paths.cert, '--key', paths.cert]), `--key ${paths.cert} is not an unencrypted PEM private key`);
      expectUsageError(await cli(data, ['start', '--port', '0', '--cert', paths.cert]), '--cert needs --key');
      expectUsageError(await cli(data, ['start', '--port', '0', '--https', '--issuer', 'http://localhost:4000']), 'use an https issuer');
      expectUsageError(await cli(data, ['start', '--port', '0', '--cert', paths.cert, '--key', paths.key, '--issuer', 'https://op.test']), 'does not name op.test');
    });
  });
});
