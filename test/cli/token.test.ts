import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, decode, expectUsageError, project, readData } from './support.js';

describe.concurrent('dev-op token', () => {
  let p: Awaited<ReturnType<typeof project>>;
  /** A token signed by the data file's own key, with the given claims. */
  let signWithStoreKey: (claims: Record<string, unknown>) => Promise<string>;
  beforeAll(async () => {
    p = await project();
    await cliJson(p.data, ['client', 'add', '--id', 'web', '--secret', 's3cret', '--redirect-uri', 'http://localhost:3000/cb']);
    await cliJson(p.data, ['user', 'add', 'bob', '--name', 'Bob Builder', '--email', 'bob@example.com', '--claim', 'groups=["dev"]']);
    const [key] = (await readData(p.data)).keys;
    signWithStoreKey = async (claims) => new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .sign(await importJWK(key.jwk, key.alg));
  });
  afterAll(() => p.cleanup());

  it('mints an RFC 9068 access token, printed alone on stdout, and records it', async () => {
    const result = await cli(p.data, ['token', 'mint', '--user', 'alice']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/); // one line, the token alone (execa strips the newline)
    const { header, payload } = decode(result.stdout.trim());
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: expect.any(String) });
    expect(payload).toMatchObject({
      iss: 'http://localhost:4000', sub: 'alice', client_id: 'app', aud: 'app', scope: 'openid profile email', jti: expect.any(String),
    });
    expect(payload.exp - payload.iat).toBe(3600);
    // The record /me and introspection look up (by jti) is in the file.
    expect((await readData(p.data)).state.AccessToken[payload.jti]).toMatchObject({ sub: 'alice', clientId: 'app', forUser: true });
  });

  it('applies --client, --scope, --aud, --ttl and --claim (JSON values when they parse)', async () => {
    const out = await cliJson(p.data, [
      'token', 'mint', '--user', 'bob', '--client', 'web', '--scope', 'openid profile', '--aud', 'https://api.local',
      '--ttl', '15m', '--claim', 'roles=admin', '--claim', 'perms=["read","write"]', '--claim', 'level=3',
    ]);
    expect(out).toMatchObject({ type: 'access', expires_in: 900, header: { typ: 'at+jwt' } });
    expect(decode(out.token).payload).toEqual(out.claims);
    expect(out.claims).toMatchObject({
      sub: 'bob', client_id: 'web', aud: 'https://api.local', scope: 'openid profile', roles: 'admin', perms: ['read', 'write'], level: 3,
    });
    expect(out.claims.exp - out.claims.iat).toBe(900);
  });

  it('mints an ID token with the user claims for the scope, --claim overriding them', async () => {
    const out = await cliJson(p.data, ['token', 'mint', '--type', 'id', '--user', 'bob', '--client', 'web', '--ttl', '2d', '--claim', 'name=Robert']);
    expect(out.header.typ).toBeUndefined();
    expect(out.claims).toMatchObject({
      iss: 'http://localhost:4000', sub: 'bob', aud: 'web', azp: 'web', name: 'Robert', email: 'bob@example.com', groups: ['dev'],
    });
    expect(out.claims.exp - out.claims.iat).toBe(2 * 86400);
    const emailOnly = await cliJson(p.data, ['token', 'mint', '--type', 'id', '--user', 'bob', '--scope', 'openid email']);
    expect(emailOnly.claims.email).toBe('bob@example.com');
    expect(emailOnly.claims.name).toBeUndefined();
  });

  it('mints for an ad-hoc --sub, a client token without a user, and with --issuer', async () => {
    const adHoc = decode((await cli(p.data, ['token', 'mint', '--sub', 'someone-else', '--ttl', '30s'])).stdout.trim()).payload;
    expect(adHoc).toMatchObject({ sub: 'someone-else' });
    expect(adHoc.exp - adHoc.iat).toBe(30);
    const clientToken = decode((await cli(p.data, ['token', 'mint', '--client', 'web', '--issuer', 'https://op.example.test'])).stdout.trim()).payload;
    expect(clientToken).toMatchObject({ sub: 'web', client_id: 'web', iss: 'https://op.example.test' });
    expect(clientToken.scope).toBeUndefined();
  });

  it.each([
    [['--ttl', '5 minutes'], '--ttl 5 minutes is not a lifetime'],
    [['--ttl', '0s'], 'is not a lifetime'],
    [['--user', 'nobody'], 'user nobody does not exist'],
    [['--client', 'nope'], 'client nope does not exist'],
    [['--user', 'alice', '--sub', 'x'], 'use --user or --sub, not both'],
    [['--claim', 'iss=https://evil'], '--claim iss=… is not allowed'],
    [['--claim', 'sub=x'], '--claim sub=… is not allowed'],
    [['--type', 'id', '--user', 'alice', '--aud', 'x'], '--aud applies to access tokens'],
    [['--type', 'id'], 'missing --user'],
    [['--type', 'refresh'], "argument 'refresh' is invalid"],
  ])('refuses mint %j: %s', async (args, message) => {
    expectUsageError(await cli(p.data, ['token', 'mint', ...args]), message);
  });

  it("holds the scope to the client's registered one: its default, and a scope outside it refused", async () => {
    await cliJson(p.data, ['client', 'add', '--id', 'svc', '--secret', 'svc', '--grant', 'client_credentials', '--scope', 'api:read api:write']);
    const scopeOf = async (args: string[]) => (await cliJson(p.data, ['token', 'mint', '--client', 'svc', ...args])).claims.scope;
    expect(await scopeOf([])).toBe('api:read api:write');
    expect(await scopeOf(['--scope', 'api:read'])).toBe('api:read');
    expect(await scopeOf(['--user', 'bob'])).toBe('openid profile email api:read api:write');
    expect(await scopeOf(['--user', 'bob', '--scope', 'openid api:write'])).toBe('openid api:write');
    expectUsageError(await cli(p.data, ['token', 'mint', '--client', 'svc', '--scope', 'api:read api:admin']),
      '--scope api:admin is not allowed for client svc (allowed: api:read api:write; register more with dev-op client update svc --scope');
    // A client token (client_credentials) never carries OpenID scopes; a user token may.
    expectUsageError(await cli(p.data, ['token', 'mint', '--client', 'svc', '--scope', 'openid']), '--scope openid is not allowed for client svc');
    expectUsageError(await cli(p.data, ['token', 'mint', '--user', 'bob', '--client', 'web', '--scope', 'openid api:read']), '--scope api:read is not allowed for client web');
  });

  it('inspects a valid token: header, payload, times, exit 0; also from stdin and as JSON', async () => {
    const token = (await cli(p.data, ['token', 'mint', '--user', 'alice', '--ttl', '15m'])).stdout.trim();
    const shown = await cli(p.data, ['token', 'inspect', token]);
    expect(shown.exitCode, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('"typ": "at+jwt"');
    expect(shown.stdout).toContain('"sub": "alice"');
    expect(shown.stdout).toMatch(/exp\s+\d{4}-\d\d-\d\dT[\d:.]+Z\s+\(expires in 1[45]m/);
    expect(shown.stdout).toContain('valid: signature verified');
    expect(shown.stdout).not.toMatch(/\x1b\[/);

    const piped = await cli(p.data, ['token', 'inspect', '-'], { input: `${token}\n` });
    expect(piped.exitCode, piped.stderr).toBe(0);
    const json = await cliJson(p.data, ['token', 'inspect', token]);
    expect(json).toMatchObject({ valid: true, header: { alg: 'RS256' }, payload: { sub: 'alice' } });
    expect(json.expires_in).toBeGreaterThan(880);
  });

  it('inspect: an expired token exits 1 and says how long ago', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signWithStoreKey({ iss: 'http://localhost:4000', sub: 'alice', iat: now - 4 * 3600, exp: now - 3 * 3600 });
    const result = await cli(p.data, ['token', 'inspect', expired]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('expired 3h ago');
    expect(result.stderr.trim()).toBe('dev-op: invalid token: expired 3h ago');
    // expires_in is exp minus the time the command ran: bound it by the clock around that run,
    // not by the test's start (the CLI runs above take seconds on a loaded machine).
    const before = Math.floor(Date.now() / 1000);
    const json = await cli(p.data, ['token', 'inspect', expired, '--json']);
    const after = Math.ceil(Date.now() / 1000);
    expect(json.exitCode).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ valid: false, reason: 'expired 3h ago' });
    const exp = now - 3 * 3600;
    expect(report.expires_in).toBeGreaterThanOrEqual(exp - after);
    expect(report.expires_in).toBeLessThanOrEqual(exp - before);
  });

  it('inspect: a bad signature, an unknown key and a non-JWT are invalid (exit 1)', async () => {
    const token = (await cli(p.data, ['token', 'mint', '--user', 'alice'])).stdout.trim();
    const [h, payload, sig] = token.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...decode(token).payload, sub: 'mallory' })).toString('base64url')}.${sig}`;
    expect((await cli(p.data, ['token', 'inspect', forged])).stderr).toContain('signature verification failed');
    expect(payload).toBeTruthy();

    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT({ sub: 'x' }).setProtectedHeader({ alg: 'ES256', kid: 'not-ours' }).setExpirationTime('1h').sign(privateKey);
    const unknown = await cli(p.data, ['token', 'inspect', foreign]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('signed by an unknown key (kid not-ours');

    expectUsageError(await cli(p.data, ['token', 'inspect', 'opaque-token-value']), 'not a JWT');
    expectUsageError(await cli(p.data, ['token', 'inspect']), 'missing TOKEN');
  });
});
