import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError, project, readData } from './support.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

describe.concurrent('dev-op client update / user update, no server running', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
  });
  afterAll(() => p.cleanup());

  it('client update edits redirect URIs, post-logout URIs, grants and any add option; the rest stays', async () => {
    await cliJson(p.data, ['client', 'add', '--id', 'web', '--secret', 's3cret', '--redirect-uri', 'http://localhost:3000/cb', '--name', 'Web']);
    const { client } = await cliJson(p.data, [
      'client', 'update', 'web', '--add-redirect-uri', 'http://localhost:5173/cb', '--remove-redirect-uri', 'http://localhost:3000/cb',
      '--add-post-logout-redirect-uri', 'http://localhost:5173', '--add-grant', 'client_credentials', '--remove-grant', 'refresh_token',
      '--scope', 'api:read', '--skip-consent',
    ]);
    expect(client).toEqual({
      client_id: 'web', client_secret: 's3cret', client_name: 'Web', redirect_uris: ['http://localhost:5173/cb'],
      post_logout_redirect_uris: ['http://localhost:5173'], grant_types: ['authorization_code', 'client_credentials'], response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic', scope: 'api:read', skip_consent: true,
    });
    expect((await readData(p.data)).clients.find((c: { client_id: string }) => c.client_id === 'web')).toEqual(client);
    const unset = await cliJson(p.data, ['client', 'update', 'web', '--no-skip-consent', '--redirect-uri', 'http://localhost:9000/cb']);
    expect(unset.client).toMatchObject({ redirect_uris: ['http://localhost:9000/cb'] });
    expect(unset.client.skip_consent).toBeUndefined();
  });

  it('client update --rotate-secret prints the new secret once; --public drops it', async () => {
    await cliJson(p.data, ['client', 'add', '--id', 'rot', '--secret', 'old', '--redirect-uri', 'http://localhost:3000/cb']);
    const rotated = await cli(p.data, ['client', 'update', 'rot', '--rotate-secret']);
    expect(rotated.exitCode, rotated.stderr).toBe(0);
    const secret = (await readData(p.data)).clients.find((c: { client_id: string }) => c.client_id === 'rot').client_secret as string;
    expect(secret).not.toBe('old');
    expect(rotated.stdout).toMatch(new RegExp(`^client_secret\\t${secret}$`, 'm'));
    expect(rotated.stderr).toContain('its new secret is shown only this once');
    const { client } = await cliJson(p.data, ['client', 'update', 'rot', '--public']);
    expect(client.token_endpoint_auth_method).toBe('none');
    expect(client.client_secret).toBeUndefined();
    expectUsageError(await cli(p.data, ['client', 'update', 'rot', '--rotate-secret']), 'client rot is public: it has no secret to rotate');
  });

  it.each([
    [['client', 'update', 'nope', '--name', 'x'], 'client nope does not exist'],
    [['client', 'update', 'app', '--remove-redirect-uri', 'http://localhost:1/x'], '--remove-redirect-uri http://localhost:1/x: client app has no such redirect uri'],
    [['client', 'update', 'app', '--add-redirect-uri', 'javascript:alert(1)'], '--redirect-uri javascript:alert(1) uses a forbidden scheme'],
    [['client', 'update', 'app', '--add-grant', 'magic'], '--add-grant magic is not a supported grant type'],
    [['client', 'update', 'app', '--remove-grant', 'authorization_code', '--remove-grant', 'refresh_token'], 'would have no grant left'],
    [['client', 'update', 'app', '--public', '--secret', 'x'], 'a public client has no secret'],
    [['client', 'update', 'app', '--rotate-secret', '--secret', 'x'], 'use --secret or --rotate-secret, not both'],
    [['user', 'update', 'nobody', '--name', 'x'], 'user nobody does not exist'],
    [['user', 'update', 'alice', '--remove-claim', 'shoe_size'], '--remove-claim shoe_size: user alice has no such claim'],
    [['user', 'update', 'alice', '--claim', 'sub=x'], 'set the subject with --sub'],
  ])('%j fails with one line and changes nothing', async (args, message) => {
    const before = await readData(p.data);
    expectUsageError(await cli(p.data, args), message);
    const after = await readData(p.data);
    expect(after.clients.find((c: { client_id: string }) => c.client_id === 'app')).toEqual(before.clients.find((c: { client_id: string }) => c.client_id === 'app'));
    expect(after.users.find((u: { username: string }) => u.username === 'alice')).toEqual(before.users.find((u: { username: string }) => u.username === 'alice'));
  });

  it('user update sets the password, claims, email and name, and removes claims; the sub stays', async () => {
    await cliJson(p.data, ['user', 'add', 'upd', '--claim', 'locale=en', '--claim', 'groups=["a"]']);
    const user = await cliJson(p.data, [
      'user', 'update', 'upd', '--password', 'pw2', '--email', 'upd@example.com', '--name', 'Up Dated', '--claim', 'groups=["a","b"]', '--remove-claim', 'locale',
    ]);
    expect(user).toEqual({
      username: 'upd', sub: 'upd', has_password: true,
      claims: { preferred_username: 'upd', groups: ['a', 'b'], email: 'upd@example.com', email_verified: true, name: 'Up Dated' },
    });
    expect((await readData(p.data)).users.find((u: { username: string }) => u.username === 'upd').password).toMatch(/^scrypt\$/);
  });

  it('a set-up script runs twice: the same client add / user add again says unchanged and exits 0; other options point at update', async () => {
    const clientArgs = ['client', 'add', '--id', 'script', '--redirect-uri', 'http://localhost:3000/cb', '--scope', 'api:read'];
    const userArgs = ['user', 'add', 'scripted', '--password', 'pw', '--email', 's@example.com', '--claim', 'groups=["x"]'];
    for (const args of [clientArgs, userArgs]) expect((await cli(p.data, args)).exitCode).toBe(0);
    const before = await readData(p.data);
    for (const args of [clientArgs, userArgs]) {
      const again = await cli(p.data, args);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stderr).toContain('unchanged');
      expect(again.stdout).not.toContain('client_secret'); // a generated secret is not shown again
    }
    expect((await cliJson(p.data, clientArgs)).unchanged).toBe(true);
    const after = await readData(p.data);
    const mine = (d: { clients: { client_id: string }[]; users: { username: string }[] }) =>
      [d.clients.find((c) => c.client_id === 'script'), d.users.find((u) => u.username === 'scripted')];
    expect(mine(after)).toEqual(mine(before)); // (other tests change other records meanwhile)
    expectUsageError(await cli(p.data, [...clientArgs.slice(0, 5), 'http://localhost:3000/other']), 'client script already exists with other settings; change it with dev-op client update script');
    expectUsageError(await cli(p.data, ['user', 'add', 'scripted', '--password', 'other', '--email', 's@example.com', '--claim', 'groups=["x"]']), 'change it with dev-op user update scripted');
  });
});

describe('dev-op client update / user update with dev-op start running: applied at once', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let server: Awaited<ReturnType<typeof startCli>>;
  let base: string;
  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    server = await startCli(['--data', data, '--auto-login', 'alice']);
    base = `http://127.0.0.1:${server.ready.port}`;
  });
  afterAll(async () => {
    server.proc.kill('SIGTERM');
    await server.proc;
    await dir.cleanup();
  });

  it('the error page for an unregistered redirect URI names the update command, and running it lets the login through', async () => {
    const auth = new URL(`${base}/auth`);
    auth.search = new URLSearchParams({
      client_id: 'app', redirect_uri: 'http://localhost:5173/cb', response_type: 'code', scope: 'openid', state: 'st',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
    }).toString();
    const refused = await fetch(auth, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    expect(page).toContain('dev-op client update app --add-redirect-uri http://localhost:5173/cb');
    expect(page).not.toContain('dev-op client add');

    const updated = await cli(data, ['client', 'update', 'app', '--add-redirect-uri', 'http://localhost:5173/cb']);
    expect(updated.exitCode, updated.stderr).toBe(0);
    const allowed = await fetch(auth, { redirect: 'manual' });
    expect(allowed.status).toBe(302);
    expect(new URL(allowed.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('the error page for an unregistered post-logout redirect URI names the update command', async () => {
    const end = `${base}/session/end?client_id=app&post_logout_redirect_uri=${encodeURIComponent('http://localhost:5173/bye')}`;
    const refused = await fetch(end, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('dev-op client update app --add-post-logout-redirect-uri http://localhost:5173/bye');
    expect((await cli(data, ['client', 'update', 'app', '--add-post-logout-redirect-uri', 'http://localhost:5173/bye'])).exitCode).toBe(0);
    const allowed = await fetch(end, { redirect: 'manual' });
    expect(allowed.status).toBe(302); // no session to end: straight back to the now registered URI
    expect(allowed.headers.get('location')).toMatch(/^http:\/\/localhost:5173\/bye/);
  });

  it('--rotate-secret: the old secret stops working and the new one works, at once; user update reaches /me', async () => {
    await cliJson(data, ['client', 'add', '--id', 'svc', '--secret', 'old-secret', '--grant', 'client_credentials', '--scope', 'api:read']);
    const token = (secret: string) => fetch(`${base}/token`, {
      method: 'POST', headers: { ...form, authorization: basic('svc', secret) }, body: 'grant_type=client_credentials',
    });
    expect((await token('old-secret')).status).toBe(200);
    const { client } = await cliJson(data, ['client', 'update', 'svc', '--rotate-secret']);
    expect((await token('old-secret')).status).toBe(401);
    expect((await token(client.client_secret)).status).toBe(200);

    const minted = (await cli(data, ['token', 'mint', '--user', 'alice', '--client', 'app'])).stdout.trim();
    await cliJson(data, ['user', 'update', 'alice', '--claim', 'groups=["ops"]', '--name', 'Alice Updated']);
    const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${minted}` } });
    expect(me.status).toBe(200); // an update revokes nothing
    expect(await me.json()).toMatchObject({ sub: 'alice', name: 'Alice Updated', groups: ['ops'] });
  });
});
