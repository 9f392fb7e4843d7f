import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import type { KeyView, RotateResult } from '../../src/admin/keys.js';
import { serverForSuite } from '../helpers/cli.js';
import { cliJson, decode } from './support.js';

const REDIRECT = 'http://localhost:3000/cb';

/**
 * `dev-op jwks rotate` through a running server reaches every token a key signs, and `jwks list`
 * says which key signs what: checked on the tokens the server then issues and on its /jwks.
 */
describe('jwks rotate with dev-op start running: the next tokens use the new keys', () => {
  const op = serverForSuite(async ({ dir }) => {
    const seed = join(dir, 'fixture.json');
    const client = (id: string, extra: Record<string, unknown> = {}) => ({
      client_id: id, client_secret: `${id}-secret`, redirect_uris: [REDIRECT], skip_consent: true, ...extra,
    });
    // `web` registers no ID token alg; `rs` asks for RS256 (OIDC Registration 2).
    await writeFile(seed, JSON.stringify({
      clients: [client('web'), client('rs', { id_token_signed_response_alg: 'RS256' })],
      users: [{ username: 'alice' }],
    }));
    return ['--seed', seed, '--auto-login', 'alice'];
  });

  /** An authorization code flow by openid-client (auto-login): its ID token and access token. */
  async function signIn(id: string): Promise<{ idToken: string; accessToken: string }> {
    const config = await oidc.discovery(new URL(op.issuer), id, `${id}-secret`, oidc.ClientSecretBasic(`${id}-secret`), {
      execute: [oidc.allowInsecureRequests],
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const res = await fetch(url, { redirect: 'manual' });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), { pkceCodeVerifier: verifier, idTokenExpected: true });
    return { idToken: tokens.id_token!, accessToken: tokens.access_token };
  }

  /** The token's { alg, kid }, after verifying it against the server's /jwks now. */
  async function verifiedHeader(token: string): Promise<{ alg: string; kid: string }> {
    const { protectedHeader } = await jwtVerify(token, createRemoteJWKSet(new URL(`${op.issuer}/jwks`)), { issuer: op.issuer });
    return { alg: protectedHeader.alg, kid: protectedHeader.kid! };
  }

  const jwksKids = async () => ((await (await fetch(`${op.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

  it('rotate --alg ES256: ID and access tokens switch to the new key; a client asking RS256 gets a new RS256 key; list says who signs what', async () => {
    const [original] = await cliJson<KeyView[]>(op.data, ['jwks', 'list']);
    expect(original).toMatchObject({ alg: 'RS256', active: true, signs: ['access tokens', 'ID tokens'] });

    const rotated = await cliJson<RotateResult>(op.data, ['jwks', 'rotate', '--alg', 'ES256']);
    expect(rotated.key).toMatchObject({ alg: 'ES256', active: true });
    expect(rotated.forClients).toEqual([expect.objectContaining({ alg: 'RS256', signs: ['ID tokens of rs (asks RS256)'] })]);
    const rsKey = rotated.forClients[0]!;

    const web = await signIn('web');
    expect(await verifiedHeader(web.idToken)).toEqual({ alg: 'ES256', kid: rotated.key.kid });
    expect(await verifiedHeader(web.accessToken)).toEqual({ alg: 'ES256', kid: rotated.key.kid });
    const rs = await signIn('rs');
    expect(await verifiedHeader(rs.idToken)).toEqual({ alg: 'RS256', kid: rsKey.kid });
    expect(await verifiedHeader(rs.accessToken)).toEqual({ alg: 'ES256', kid: rotated.key.kid });

    // Minted tokens are signed as the server signs that client's.
    const mint = async (args: string[]) => verifiedHeader((await cliJson<{ token: string }>(op.data, ['token', 'mint', '--user', 'alice', ...args])).token);
    expect(await mint(['--client', 'web'])).toEqual({ alg: 'ES256', kid: rotated.key.kid });
    expect(await mint(['--client', 'web', '--type', 'id'])).toEqual({ alg: 'ES256', kid: rotated.key.kid });
    expect(await mint(['--client', 'rs', '--type', 'id'])).toEqual({ alg: 'RS256', kid: rsKey.kid });

    const listed = await cliJson<KeyView[]>(op.data, ['jwks', 'list']);
    expect(listed).toEqual([
      expect.objectContaining({ kid: rotated.key.kid, signs: ['access tokens', 'ID tokens'], active: true }),
      expect.objectContaining({ kid: rsKey.kid, signs: ['ID tokens of rs (asks RS256)'], active: false }),
      expect.objectContaining({ kid: original!.kid, signs: [], active: false }),
    ]);
    expect(listed.map((k) => k.kid).sort()).toEqual((await jwksKids()).sort());

    // Discovery names every alg an ID token may come in, so an RP that registered none accepts it.
    const discovery = (await (await fetch(`${op.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    expect(discovery.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'RS256']));
  });

  it('rotate --retire: no key appears that the list does not show, and every listed date is real', async () => {
    const before = Date.now();
    const rotated = await cliJson<RotateResult>(op.data, ['jwks', 'rotate', '--alg', 'EdDSA', '--retire']);
    const web = await signIn('web');
    const rs = await signIn('rs');
    expect(await verifiedHeader(web.idToken)).toEqual({ alg: 'EdDSA', kid: rotated.key.kid });
    expect(await verifiedHeader(web.accessToken)).toEqual({ alg: 'EdDSA', kid: rotated.key.kid });
    expect(await verifiedHeader(rs.idToken)).toEqual({ alg: 'RS256', kid: rotated.forClients[0]!.kid });

    const listed = await cliJson<KeyView[]>(op.data, ['jwks', 'list']);
    expect(listed.map((k) => k.kid).sort()).toEqual([rotated.key.kid, rotated.forClients[0]!.kid].sort());
    expect((await jwksKids()).sort()).toEqual(listed.map((k) => k.kid).sort());
    for (const key of listed) {
      expect(Date.parse(key.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(key.signs.length).toBeGreaterThan(0);
    }
    expect(decode(rs.idToken).header.kid).toBe(rotated.forClients[0]!.kid);
  });
});
