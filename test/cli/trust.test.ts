import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as jose from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverForSuite } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError, project, readData } from './support.js';

const PARTNER = 'https://partner.example.com';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

async function partnerKeys(dir: string): Promise<{ file: string; key: CryptoKey }> {
  const pair = await jose.generateKeyPair('ES256', { extractable: true });
  const file = join(dir, 'partner-jwks.json');
  await writeFile(file, JSON.stringify({ keys: [{ ...(await jose.exportJWK(pair.publicKey)), kid: 'p1' }] }));
  return { file, key: pair.privateKey };
}

describe('dev-op trust on a data file', () => {
  let p: Awaited<ReturnType<typeof project>>;
  let jwksFile: string;
  beforeAll(async () => {
    p = await project();
    jwksFile = (await partnerKeys(p.dir)).file;
  });
  afterAll(async () => {
    await p.cleanup();
  });

  it('add (a JWK Set file, read now), list, remove; kept in the data file', async () => {
    const added = await cliJson(p.data, ['trust', 'add', '--issuer', PARTNER, '--jwks', jwksFile]);
    expect(added).toMatchObject({ issuer: PARTNER, jwks: { keys: [{ kid: 'p1', kty: 'EC' }] } });
    const remote = await cliJson(p.data, ['trust', 'add', '--issuer', 'https://idp.example.com/', '--jwks', 'https://idp.example.com/jwks']);
    expect(remote).toEqual({ issuer: 'https://idp.example.com/', jwks_uri: 'https://idp.example.com/jwks' });
    const data = await readData(p.data);
    expect(data.version).toBe(4);
    expect(data.trustedIssuers.map((t: { issuer: string }) => t.issuer)).toEqual([PARTNER, 'https://idp.example.com/']);
    const list = await cli(p.data, ['trust', 'list']);
    expect(list.exitCode).toBe(0);
    expect(list.stdout).toContain(PARTNER);
    expect(list.stdout).toContain('https://idp.example.com/jwks');
    expect((await cliJson(p.data, ['trust', 'list'])).length).toBe(2);
    expect(await cliJson(p.data, ['trust', 'remove', 'https://idp.example.com/'])).toEqual({ removed: 'https://idp.example.com/' });
    expect((await readData(p.data)).trustedIssuers).toHaveLength(1);
  });

  it('the same add again changes nothing; other keys for a trusted issuer is an error', async () => {
    const again = await cli(p.data, ['trust', 'add', '--issuer', PARTNER, '--jwks', jwksFile]);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain('unchanged');
    expectUsageError(await cli(p.data, ['trust', 'add', '--issuer', PARTNER, '--jwks', 'https://partner.example.com/jwks']), 'trusted already');
  });

  it('bad input: one line on stderr, exit 1, nothing changed', async () => {
    const before = (await readData(p.data)).trustedIssuers;
    expectUsageError(await cli(p.data, ['trust', 'add', '--jwks', jwksFile]), 'missing --issuer');
    expectUsageError(await cli(p.data, ['trust', 'add', '--issuer', 'https://x.example.com']), '--jwks');
    expectUsageError(await cli(p.data, ['trust', 'add', '--issuer', 'not a url', '--jwks', jwksFile]), '--issuer');
    expectUsageError(await cli(p.data, ['trust', 'add', '--issuer', 'https://x.example.com', '--jwks', join(p.dir, 'nope.json')]), 'no such file');
    const privateFile = join(p.dir, 'private.json');
    const pair = await jose.generateKeyPair('ES256', { extractable: true });
    await writeFile(privateFile, JSON.stringify({ keys: [await jose.exportJWK(pair.privateKey)] }));
    expectUsageError(await cli(p.data, ['trust', 'add', '--issuer', 'https://x.example.com', '--jwks', privateFile]), 'private');
    expectUsageError(await cli(p.data, ['trust', 'remove', 'https://unknown.example.com']), 'is not trusted');
    expect((await readData(p.data)).trustedIssuers).toEqual(before);
  });

  it('export carries the trusted issuers, and a fixture with them seeds a new data file', async () => {
    const fixture = await cliJson(p.data, ['export']);
    expect(fixture.trustedIssuers).toEqual([expect.objectContaining({ issuer: PARTNER })]);
    const seedFile = join(p.dir, 'fixture.json');
    await writeFile(seedFile, JSON.stringify(fixture));
    const other = await project();
    try {
      const bad = { ...fixture, trustedIssuers: [{ issuer: PARTNER }] };
      await writeFile(join(other.dir, 'bad.json'), JSON.stringify(bad));
      const started = await cli(other.data, ['start', '--port', '0', '--seed', join(other.dir, 'bad.json'), '--json']);
      expect(started.exitCode).toBe(1);
      expect(started.stderr).toContain('trustedIssuers[0]');
    } finally {
      await other.cleanup();
    }
  });

  it('client add takes the short grant names token-exchange and jwt-bearer, and --refresh-reuse-interval', async () => {
    const added = await cliJson(p.data, [
      'client', 'add', '--id', 'svc', '--grant', 'token-exchange', '--grant', 'jwt-bearer', '--grant', 'refresh_token', '--refresh-reuse-interval', '2s',
    ]);
    expect(added.client.grant_types).toEqual([TOKEN_EXCHANGE, JWT_BEARER, 'refresh_token']);
    expect(added.client.refresh_token_reuse_interval).toBe(2);
    const updated = await cliJson(p.data, ['client', 'update', 'svc', '--refresh-reuse-interval', '0']);
    expect(updated.client.refresh_token_reuse_interval).toBe(0);
    expectUsageError(await cli(p.data, ['client', 'update', 'svc', '--refresh-reuse-interval', 'soon']), '--refresh-reuse-interval');
  });
});

describe('dev-op trust with a server running on the data file', () => {
  let key: CryptoKey;
  // The partner's public keys go into the server's folder (partner-jwks.json) before it starts.
  const server = serverForSuite(async ({ dir }) => {
    key = (await partnerKeys(dir)).key;
    return [];
  });

  it('applies at once: an assertion of the newly trusted issuer is accepted, and refused once removed', async () => {
    const file = join(server.dir, 'partner-jwks.json');
    await cliJson(server.data, ['client', 'add', '--id', 'backend', '--secret', 'b-secret', '--grant', 'jwt-bearer']);
    const assertion = async () => new jose.SignJWT({ sub: 'partner-user', jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'p1' }).setIssuer(PARTNER).setAudience(server.issuer).setIssuedAt().setExpirationTime('2m').sign(key);
    const grant = async () => fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('backend:b-secret').toString('base64')}` },
      body: new URLSearchParams({ grant_type: JWT_BEARER, assertion: await assertion() }).toString(),
    });
    expect(await (await grant()).json()).toMatchObject({ error: 'invalid_grant' });
    await cliJson(server.data, ['trust', 'add', '--issuer', PARTNER, '--jwks', file]);
    const ok = await grant();
    expect(ok.status).toBe(200);
    await cliJson(server.data, ['trust', 'remove', PARTNER]);
    expect(await (await grant()).json()).toMatchObject({ error: 'invalid_grant' });
  });
});
