import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devOp } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError, onTerminal, project, readData } from './support.js';

describe.concurrent('dev-op client', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
  });
  afterAll(() => p.cleanup());

  it('adds a confidential client from flags (--json: the client and what was generated)', async () => {
    const out = await cliJson(p.data, [
      'client', 'add', '--id', 'web', '--secret', 's3cret', '--redirect-uri', 'http://localhost:3000/cb',
      '--grant', 'authorization_code', '--grant', 'refresh_token', '--name', 'Web App',
      '--post-logout-redirect-uri', 'http://localhost:3000/',
    ]);
    expect(out).toEqual({
      client: {
        client_id: 'web', client_secret: 's3cret', client_name: 'Web App',
        redirect_uris: ['http://localhost:3000/cb'], post_logout_redirect_uris: ['http://localhost:3000/'],
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      generated: { id: false, secret: false },
    });
    const stored = (await readData(p.data)).clients.find((c: { client_id: string }) => c.client_id === 'web');
    expect(stored).toEqual(out.client);
  });

  it('adds a public client with a generated id, no secret, auth method none', async () => {
    const result = await cli(p.data, ['client', 'add', '--public', '--redirect-uri', 'http://localhost:5173/callback', '--name', 'My SPA']);
    expect(result.exitCode, result.stderr).toBe(0);
    const fields = Object.fromEntries(result.stdout.trim().split('\n').map((line) => line.split('\t')));
    expect(fields.client_id).toMatch(/^[0-9a-f]{16}$/);
    expect(fields.auth_method).toBe('none');
    expect(fields.client_secret).toBeUndefined();
    expect(result.stderr).toContain(`public client ${fields.client_id} added`);
    const shown = await cliJson(p.data, ['client', 'show', fields.client_id]);
    expect(shown).toMatchObject({ client_id: fields.client_id, token_endpoint_auth_method: 'none', client_name: 'My SPA' });
    expect(shown.client_secret).toBeUndefined();
  });

  it('generates a 256-bit secret, shows it once on add and masks it in show (but not in --json)', async () => {
    const result = await cli(p.data, ['client', 'add', '--id', 'svc', '--grant', 'client_credentials', '--scope', 'api:read api:write']);
    expect(result.exitCode, result.stderr).toBe(0);
    const secret = /^client_secret\t(.+)$/m.exec(result.stdout)?.[1];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    expect(result.stderr).toContain('shown only this once');
    const shown = await cli(p.data, ['client', 'show', 'svc']);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).not.toContain(secret);
    expect(shown.stdout).toMatch(/^scope\tapi:read api:write$/m);
    const json = await cliJson(p.data, ['client', 'show', 'svc']);
    expect(json).toMatchObject({ client_secret: secret, grant_types: ['client_credentials'], response_types: [], scope: 'api:read api:write' });
  });

  it('takes response types for implicit and hybrid flows, in canonical spelling', async () => {
    const { client } = await cliJson(p.data, [
      'client', 'add', '--id', 'hybrid', '--redirect-uri', 'http://localhost:3000/cb',
      '--response-type', 'code', '--response-type', 'id_token code', '--response-type', 'token id_token',
    ]);
    expect(client.response_types).toEqual(['code', 'code id_token', 'id_token token']);
  });

  it('maps --auth-method, --token-format and --skip-consent to client metadata', async () => {
    const { client } = await cliJson(p.data, [
      'client', 'add', '--id', 'opaque', '--redirect-uri', 'com.example.app:/oauth2redirect',
      '--auth-method', 'client_secret_post', '--token-format', 'opaque', '--skip-consent',
    ]);
    expect(client).toMatchObject({
      client_id: 'opaque', token_endpoint_auth_method: 'client_secret_post', access_token_format: 'opaque', skip_consent: true,
      redirect_uris: ['com.example.app:/oauth2redirect'],
    });
  });

  it('lists clients: tab-separated lines in a pipe, an array with --json', async () => {
    await cliJson(p.data, ['client', 'add', '--id', 'listed', '--redirect-uri', 'http://localhost:3000/cb']);
    const plain = await cli(p.data, ['client', 'list']);
    expect(plain.exitCode).toBe(0);
    expect(plain.stdout).toMatch(/^app\tconfidential\tclient_secret_basic\tauthorization_code,refresh_token\thttp:\/\/localhost:3000\/callback$/m);
    expect(plain.stdout).toMatch(/^listed\t/m);
    expect(plain.stdout).not.toMatch(/\x1b\[/);
    const list = await cliJson<{ client_id: string }[]>(p.data, ['client', 'list']);
    expect(Array.isArray(list)).toBe(true);
    expect(list.map((c) => c.client_id)).toEqual(expect.arrayContaining(['app', 'listed']));
  });

  it('removes a client; showing or removing it again is a one-line error', async () => {
    await cliJson(p.data, ['client', 'add', '--id', 'gone', '--redirect-uri', 'http://localhost:3000/cb']);
    expect(await cliJson(p.data, ['client', 'remove', 'gone'])).toEqual({ removed: 'gone' });
    expectUsageError(await cli(p.data, ['client', 'show', 'gone']), 'client gone does not exist');
    expectUsageError(await cli(p.data, ['client', 'remove', 'gone']), 'client gone does not exist');
  });

  it.each([
    [['--redirect-uri', '/callback'], 'is not an absolute URI'],
    [['--redirect-uri', 'http://localhost:3000/cb#frag'], 'must not contain a fragment'],
    [['--redirect-uri', 'http://localhost:3000/cb#'], 'must not contain a fragment'],
    [['--redirect-uri', 'localhost:3000/cb'], 'did you mean http://localhost:3000/cb'],
    [['--redirect-uri', 'javascript:alert(1)'], 'forbidden scheme'],
    [['--redirect-uri', 'http://x/cb', '--grant', 'implicit_magic'], '--grant implicit_magic is not a supported grant type'],
    [['--redirect-uri', 'http://x/cb', '--auth-method', 'carrier_pigeon'], '--auth-method carrier_pigeon is not a supported method'],
    [['--public', '--grant', 'client_credentials'], 'a public client cannot use the client_credentials grant'],
    [['--public', '--secret', 'x', '--redirect-uri', 'http://x/cb'], 'no secret'],
    [['--id', 'app', '--redirect-uri', 'http://x/cb'], 'client app already exists'],
    [['--id', 'has space', '--redirect-uri', 'http://x/cb'], 'must not contain spaces'],
    [[], 'missing --redirect-uri'],
    [['--redirect-uri', 'http://x/cb', '--token-format', 'xml'], '--token-format'],
    [['--auth-method', 'private_key_jwt', '--redirect-uri', 'http://x/cb'], 'missing --jwks-uri or --jwks'],
    [['--redirect-uri', 'http://x/cb', '--response-type', 'token'], '--response-type token is not supported'],
    [['--grant', 'client_credentials', '--response-type', 'code id_token'], 'missing --redirect-uri'],
    [['--redirect-uri', 'http://x/cb', '--grant', 'client_credentials', '--response-type', 'code'], 'need the authorization_code grant'],
    [['--auth-method', 'private_key_jwt', '--redirect-uri', 'http://x/cb', '--jwks', '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}'], 'private or symmetric key'],
  ])('refuses %j: %s', async (args, message) => {
    expectUsageError(await cli(p.data, ['client', 'add', ...args]), message);
  });

  it('never waits for input without a terminal', async () => {
    // stdin is an open pipe that never sends anything: a prompt would hang until the test times out.
    const result = await cli(p.data, ['client', 'add'], { input: undefined });
    expectUsageError(result, 'missing --redirect-uri');
    expectUsageError(await cli(p.data, ['client', 'show']), 'missing ID');
  });

  it('registers a private_key_jwt client with its public keys', async () => {
    const jwks = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' }] });
    const { client } = await cliJson(p.data, ['client', 'add', '--id', 'pkjwt', '--auth-method', 'private_key_jwt', '--grant', 'client_credentials', '--jwks', jwks]);
    expect(client).toMatchObject({ token_endpoint_auth_method: 'private_key_jwt', jwks: JSON.parse(jwks) });
    expect(client.client_secret).toBeUndefined();
  });

  it('on a terminal: an aligned table with a header, coloured unless NO_COLOR', async () => {
    const coloured = await onTerminal(['client', 'list', '--data', p.data], [], { FORCE_COLOR: '1', NO_COLOR: '' });
    expect(coloured.stdout).toMatch(/\x1b\[1mCLIENT_ID/);
    expect(coloured.stdout).toMatch(/^app {2,}confidential {2,}client_secret_basic/m);
    const plain = await onTerminal(['client', 'list', '--data', p.data], [], { NO_COLOR: '1' });
    expect(plain.stdout).toMatch(/^CLIENT_ID {2,}TYPE/m);
    expect(plain.stdout).not.toMatch(/\x1b\[[0-9;]*m/);
  });

  it('has --help with examples for every subcommand', async () => {
    const helps = await Promise.all(['add', 'list', 'show', 'remove'].map((sub) => devOp(['client', sub, '--help'])));
    for (const help of helps) {
      expect(help.exitCode).toBe(0);
      expect(help.stdout).toContain('Examples:');
      expect(help.stdout).toContain('--data');
      expect(help.stdout).toContain('--json');
    }
  });
});
