import { createHmac, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { exportJWK, SignJWT, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectToken } from '../../src/rp/inspect-token.js';
import { startDevOp, type DevOp } from '../../src/index.js';
import type { Client } from '../../src/store/types.js';
import { devOp, tempDir } from '../helpers/cli.js';
import { confidentialClient } from '../helpers/op.js';
import { basic } from '../provider/support.js';

/**
 * `alg: none`, HS256 keyed with a public key (the RS256/HS256 confusion), embedded keys, stripped
 * and foreign signatures: refused everywhere dev-op accepts a JWT — `dev-op token inspect`, bearer
 * tokens at userinfo and introspection, id_token_hint (authorization and logout), client
 * assertions (private_key_jwt and client_secret_jwt) and request objects.
 */

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const parts = (jwt: string) => {
  const [h, p] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>, payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown> };
};
const hs256 = (header: object, payload: object, secret: Buffer | string) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
};

/**
 * Every forgery of `legit` an attacker holding only public keys can make, each carrying the
 * payload `forge()` returns (by default the original one claiming another subject).
 */
async function forgeries(
  legit: string, publicKey: KeyObject, attacker: { privateKey: KeyObject; publicKey: KeyObject },
  forge: (payload: Record<string, unknown>) => Record<string, unknown> = (payload) => ({ ...payload, sub: 'mallory' }),
): Promise<[string, string][]> {
  const { header, payload } = parts(legit);
  const evil = forge(payload);
  const jwk = publicKey.export({ format: 'jwk' });
  const secrets: [string, Buffer | string][] = [
    ['SPKI PEM', publicKey.export({ type: 'spki', format: 'pem' }) as string],
    ['SPKI PEM without its last newline', (publicKey.export({ type: 'spki', format: 'pem' }) as string).trimEnd()],
    ['SPKI DER', publicKey.export({ type: 'spki', format: 'der' }) as Buffer],
    ['JWK JSON', JSON.stringify(jwk)],
    ['JWK JSON with kid', JSON.stringify({ ...jwk, kid: header.kid })],
  ];
  if (jwk.kty === 'RSA') {
    secrets.push(['PKCS#1 PEM', publicKey.export({ type: 'pkcs1', format: 'pem' }) as string], ['the modulus', Buffer.from(jwk.n!, 'base64url')]);
  }
  const attackerJwk = await exportJWK(attacker.publicKey);
  const signedByAttacker = (h: Record<string, unknown>) =>
    new SignJWT(forge(payload)).setProtectedHeader({ ...h, alg: 'RS256' } as never).sign(attacker.privateKey);
  return [
    ...['none', 'None', 'NONE', 'nOnE'].map((alg): [string, string] => [`alg ${alg}`, `${b64({ ...header, alg })}.${b64(forge(payload))}.`]),
    ['alg none with a signature kept', `${b64({ ...header, alg: 'none' })}.${b64(forge(payload))}.${legit.split('.')[2]}`],
    ...secrets.map(([label, secret]): [string, string] => [`HS256 keyed with the public key (${label})`, hs256({ ...header, alg: 'HS256' }, forge(payload), secret)]),
    ['the signature stripped', `${b64(header)}.${b64(forge(payload))}.`],
    ['a changed payload under the original signature', `${legit.split('.')[0]}.${b64(evil)}.${legit.split('.')[2]}`],
    ['signed by another key under this kid', await signedByAttacker({ kid: header.kid, typ: header.typ })],
    ['an embedded jwk header', await signedByAttacker({ jwk: attackerJwk, typ: header.typ })],
    ['an embedded jwk header and this kid', await signedByAttacker({ kid: header.kid, jwk: attackerJwk, typ: header.typ })],
    ['a jku header', await signedByAttacker({ kid: header.kid, jku: 'http://127.0.0.1:9/jwks.json', typ: header.typ })],
  ];
}

describe('JWT algorithm attacks', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let data: string;
  let server: DevOp;
  let base: string;
  let opKey: KeyObject;
  const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const web: Client = confidentialClient({ skip_consent: true, grant_types: ['authorization_code', 'client_credentials'], scope: 'api' });
  let pkjwt: Client;
  const SECRET = 'a-client-secret-that-is-long-enough-for-hs256';
  const secretjwt: Client = confidentialClient({
    client_id: 'secretjwt', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_jwt', grant_types: ['client_credentials'], scope: 'api',
  });
  let probes = 0;
  let idToken: string;
  let accessToken: string;

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    server = await startDevOp({ port: 0, host: '127.0.0.1', data, autoLogin: 'alice', log: 'none' });
    base = server.issuer;
    pkjwt = confidentialClient({
      client_id: 'pkjwt', client_secret: undefined, token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], scope: 'api',
      jwks: { keys: [{ ...(await exportJWK(clientKeys.publicKey)), kid: 'client-key', alg: 'RS256', use: 'sig' }] },
    });
    for (const c of [web, pkjwt, secretjwt]) await server.store.addClient(c);
    const jwks = (await (await fetch(`${base}/jwks`)).json()) as { keys: Record<string, unknown>[] };
    opKey = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' });
    // A real ID token and access token to forge from.
    const res = await fetch(`${base}/auth?${new URLSearchParams({
      client_id: web.client_id, redirect_uri: web.redirect_uris[0]!, response_type: 'code', scope: 'openid', nonce: 'n', state: 's',
    })}`, { redirect: 'manual' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const tokens = (await (await fetch(`${base}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(web.client_id, web.client_secret!) },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: web.redirect_uris[0]! }).toString(),
    })).json()) as { id_token: string; access_token: string };
    idToken = tokens.id_token;
    accessToken = tokens.access_token;
  });
  afterAll(async () => {
    await server.stop();
    await dir.cleanup();
    console.log(`jwt: ${probes} forged tokens refused`);
  });

  it('dev-op token inspect: every forgery is invalid; the real tokens are valid', async () => {
    const forged = [...await forgeries(idToken, opKey, attacker), ...await forgeries(accessToken, opKey, attacker)];
    // All of them through the inspection the command runs, against the keys the command reads…
    const jwks = (await (await fetch(`${base}/jwks`)).json()) as JSONWebKeySet;
    const now = Math.floor(Date.now() / 1000);
    expect((await inspectToken(idToken, jwks, { now })).valid).toBe(true);
    for (const [label, token] of forged) {
      const report = await inspectToken(token, jwks, { now }).catch((err: Error) => ({ valid: false, reason: err.message }));
      expect(report.valid, label).toBe(false);
      probes++;
    }
    // …and one of each kind through the real command (a process each).
    const kinds = ['alg none', 'HS256 keyed with the public key (SPKI PEM)', 'HS256 keyed with the public key (JWK JSON)', 'an embedded jwk header and this kid', 'the signature stripped'];
    const chosen = forged.filter(([label]) => kinds.includes(label)).slice(0, kinds.length);
    const results = await Promise.all([idToken, ...chosen.map(([, t]) => t)].map((t) => devOp(['token', 'inspect', t, '--data', data])));
    expect(results[0]!.exitCode, results[0]!.stderr).toBe(0);
    chosen.forEach(([label], i) => {
      const r = results[i + 1]!;
      expect(r.exitCode, `${label}: ${r.stdout} ${r.stderr}`).toBe(1);
      expect(r.stderr, label).toMatch(/invalid token/);
      expect(r.stderr, label).not.toMatch(/\n\s+at /);
    });
  });

  it('bearer tokens: userinfo and introspection refuse every forged access token', async () => {
    expect((await fetch(`${base}/me`, { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
    for (const [label, forged] of await forgeries(accessToken, opKey, attacker)) {
      const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${forged}` } });
      expect(me.status, label).toBe(401);
      const introspection = await fetch(`${base}/token/introspection`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(web.client_id, web.client_secret!) },
        body: new URLSearchParams({ token: forged }).toString(),
      });
      expect(((await introspection.json()) as { active: boolean }).active, label).toBe(false);
      probes += 2;
    }
  });

  it('id_token_hint: at logout and at authorization, a forged hint is an error, never trusted', async () => {
    const logout = (hint: string) => fetch(`${base}/session/end?${new URLSearchParams({ id_token_hint: hint })}`, { redirect: 'manual' });
    const authorize = (hint: string) => fetch(`${base}/auth?${new URLSearchParams({
      client_id: web.client_id, redirect_uri: web.redirect_uris[0]!, response_type: 'code', scope: 'openid', state: 's', id_token_hint: hint,
    })}`, { redirect: 'manual' });
    expect((await logout(idToken)).status).toBe(200);
    expect(new URL((await authorize(idToken)).headers.get('location')!).searchParams.has('code')).toBe(true);
    for (const [label, forged] of await forgeries(idToken, opKey, attacker)) {
      expect((await logout(forged)).status, `logout, ${label}`).toBe(400);
      const back = new URL((await authorize(forged)).headers.get('location')!);
      expect(back.searchParams.get('error'), `authorization, ${label}`).toBe('invalid_request');
      expect(back.searchParams.has('code'), label).toBe(false);
      probes += 2;
    }
  });

  it('client assertions: private_key_jwt and client_secret_jwt refuse alg none, HS256 keyed with the client\'s public key, and foreign keys', async () => {
    const claims = (clientId: string) => ({ iss: clientId, sub: clientId, aud: base, jti: randomUUID(), exp: Math.floor(Date.now() / 1000) + 60, iat: Math.floor(Date.now() / 1000) });
    const request = (assertion: string) => fetch(`${base}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion,
      }).toString(),
    });
    const legit = await new SignJWT(claims('pkjwt')).setProtectedHeader({ alg: 'RS256', kid: 'client-key' }).sign(clientKeys.privateKey);
    expect((await request(legit)).status).toBe(200);
    const legitSecret = await new SignJWT(claims('secretjwt')).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
    expect((await request(legitSecret)).status).toBe(200);

    // A fresh jti in each forgery: only the signature may decide.
    const forged = await forgeries(legit, clientKeys.publicKey, attacker, () => claims('pkjwt'));
    forged.push(
      ['client_secret_jwt with alg none', `${b64({ alg: 'none' })}.${b64(claims('secretjwt'))}.`],
      ['client_secret_jwt signed with an RSA key', await new SignJWT(claims('secretjwt')).setProtectedHeader({ alg: 'RS256' }).sign(attacker.privateKey)],
      ['client_secret_jwt with HS256 keyed by another secret', hs256({ alg: 'HS256' }, claims('secretjwt'), 'not-the-secret-not-the-secret-!!')],
    );
    for (const [label, assertion] of forged) {
      const res = await request(assertion);
      expect(res.status, label).toBe(401);
      expect(((await res.json()) as { error: string }).error, label).toBe('invalid_client');
      probes++;
    }
  });

  it('request objects that are unsigned (alg none) or carry no valid signature are refused; their redirect_uri is never used', async () => {
    for (const alg of ['none', 'HS256']) {
      const requestObject = `${b64({ alg })}.${b64({ client_id: web.client_id, redirect_uri: 'http://evil.example/cb', scope: 'openid', response_type: 'code' })}.`;
      const res = await fetch(`${base}/auth?${new URLSearchParams({
        client_id: web.client_id, redirect_uri: web.redirect_uris[0]!, response_type: 'code', scope: 'openid', request: requestObject,
      })}`, { redirect: 'manual' });
      const back = new URL(res.headers.get('location')!);
      expect(`${back.origin}${back.pathname}`).toBe(web.redirect_uris[0]);
      expect(back.searchParams.get('error')).toBe('invalid_request_object');
      probes++;
    }
  });
});
