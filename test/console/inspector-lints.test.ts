import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp, FoundLint, LintCode } from '../../src/index.js';
import { autoLoginCodeFlow, rpConfig } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { tokenRequest } from '../provider/support.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const web = confidentialClient({ grant_types: ['authorization_code', 'refresh_token'], ttl: { RefreshToken: 120 } });
const tv = confidentialClient({
  client_id: 'tv', client_secret: undefined, token_endpoint_auth_method: 'none', redirect_uris: [], grant_types: [DEVICE_GRANT],
});
const redirectUri = web.redirect_uris[0]!;

let server: DevOp;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'alice' });
  await server.store.addClient(web);
  await server.store.addClient(tv);
  config = await rpConfig(server, web);
});
afterAll(() => server.stop());

/** The lints recorded since `since` (a seq), by code. */
async function lintsSince(since: number): Promise<FoundLint[]> {
  return server.inspector!.lints({ since });
}
/** How the inspector names a JWT: the first 8 characters of its signature (every JWT starts alike). */
function jwtFingerprint(jwt: string): string {
  return jwt.split('.')[2]!.slice(0, 8);
}
const codes = (lints: FoundLint[]) => lints.map((l) => l.code).sort();
const last = async () => (await server.inspector!.read()).last;

/** GET the authorization endpoint as a browser would, with these parameters. */
function authorize(params: Record<string, string>): Promise<Response> {
  return fetch(`${server.issuer}/auth?${new URLSearchParams({ client_id: 'web', redirect_uri: redirectUri, response_type: 'code', scope: 'openid', ...params })}`, { redirect: 'manual' });
}

/** A PKCE pair, for requests that should lint for something else only. */
async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = oidc.randomPKCECodeVerifier();
  return { verifier, challenge: await oidc.calculatePKCECodeChallenge(verifier) };
}

describe('flow inspector: a well-behaved relying party', () => {
  it('records the authorization code flow of openid-client as one flow with no lints, tokens decoded and secrets redacted', async () => {
    const since = await last();
    const tokens = await autoLoginCodeFlow(config, redirectUri);
    await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
    const report = await server.inspector!.read({ since });
    expect(report.lints).toEqual([]);
    const flow = report.flows.find((f) => f.steps.some((s) => s.endpoint === 'token'))!;
    expect(flow).toMatchObject({ clientId: 'web', kind: 'authorization (code)' });
    expect(flow.steps.map((s) => s.endpoint)).toEqual(['authorization', 'token', 'userinfo']);
    const token = flow.steps[1]!;
    // Tokens issued by the OP are recorded decoded, a JWT known by 8 characters of its signature.
    expect(token.response?.id_token).toMatchObject({ fp: jwtFingerprint(tokens.id_token!), jwt: { claims: { sub: 'alice', aud: 'web' } } });
    expect(token.response?.access_token).toMatchObject({ fp: jwtFingerprint(tokens.access_token), jwt: { header: { typ: 'at+jwt' } } });
    expect(token.auth).toEqual({ scheme: 'basic', clientId: 'web' });
    // Nothing secret is kept whole: not the code, the tokens, the verifier nor the client secret.
    const recorded = JSON.stringify(report);
    for (const secret of [tokens.access_token, tokens.id_token!, tokens.refresh_token!, web.client_secret!]) expect(recorded).not.toContain(secret);
    const code = (flow.steps[0]!.delivered?.code as { fp: string }).fp;
    expect(code).toHaveLength(8);
    expect(flow.steps[1]!.form?.code).toEqual({ fp: code });
    expect(flow.steps[1]!.form?.code_verifier).toEqual({ fp: '' });
  });
});

describe('flow inspector: lints of the relying party', () => {
  it.each<[string, Record<string, string>, LintCode[]]>([
    ['no state', { nonce: 'n-1' }, ['missing-state']],
    ['no PKCE and no nonce in an OpenID request', { state: 's-1' }, ['missing-nonce', 'missing-pkce']],
    ['plain PKCE', { state: 's-2', nonce: 'n-2', code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }, ['plain-pkce']],
  ])('an authorization request with %s', async (_name, params, expected) => {
    const since = await last();
    const withPkce = params.code_challenge || expected.includes('missing-pkce') ? {} : { code_challenge: (await pkce()).challenge, code_challenge_method: 'S256' };
    await authorize({ ...withPkce, ...params });
    const lints = await lintsSince(since);
    expect(codes(lints)).toEqual(expected);
    expect(lints[0]).toMatchObject({ clientId: 'web' });
    expect(lints[0]!.spec).toMatch(/RFC|OpenID/);
  });

  it('a nonce-less implicit request (response_type id_token) is told nonce is REQUIRED there', async () => {
    const since = await last();
    await authorize({ response_type: 'id_token', state: 's-3' });
    const lint = (await lintsSince(since)).find((l) => l.code === 'missing-nonce');
    expect(lint?.spec).toBe('OpenID Connect Core 3.2.2.1');
  });

  it.each([
    ['a trailing slash', `${redirectUri}/`],
    ['the port', redirectUri.replace(':3000', ':3001')],
    ['letter case', redirectUri.replace('/cb', '/CB')],
  ])('a redirect_uri that differs from the registered one only by %s', async (difference, uri) => {
    const since = await last();
    const { challenge } = await pkce();
    const res = await authorize({ redirect_uri: uri, state: 's', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256' });
    expect(res.status).toBe(400);
    const lints = await lintsSince(since);
    expect(codes(lints)).toEqual(['redirect-uri-near-miss']);
    expect(lints[0]!.message).toContain(difference);
    expect(lints[0]!.message).toContain(redirectUri);
  });

  it('a redirect_uri unlike any registered one is not a near miss', async () => {
    const since = await last();
    const { challenge } = await pkce();
    await authorize({ redirect_uri: 'https://elsewhere.example/cb', state: 's', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256' });
    expect(await lintsSince(since)).toEqual([]);
  });

  it('a token request sent twice with the same code', async () => {
    const { verifier, challenge } = await pkce();
    const since = await last();
    const res = await authorize({ state: 's', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256' });
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    const form = { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier };
    expect((await tokenRequest(server, form, { id: 'web', secret: web.client_secret! })).status).toBe(200);
    expect((await tokenRequest(server, form, { id: 'web', secret: web.client_secret! })).status).toBe(400);
    const report = await server.inspector!.read({ since });
    expect(codes(report.lints)).toEqual(['code-reused']);
    // Marked on the second token request, in the same flow as the authorization request.
    const flow = report.flows.find((f) => f.id === report.lints[0]!.flowId)!;
    expect(flow.steps.map((s) => s.endpoint)).toEqual(['authorization', 'token', 'token']);
    expect(flow.steps[2]!.seq).toBe(report.lints[0]!.seq);
  });

  it('a refresh token never used before it expired', async () => {
    const since = await last();
    const unused = await autoLoginCodeFlow(config, redirectUri);
    const used = await autoLoginCodeFlow(config, redirectUri);
    await oidc.refreshTokenGrant(config, used.refresh_token!);
    expect(await lintsSince(since)).toEqual([]);
    server.clock.advance('3m');
    const lints = await lintsSince(since);
    // The one never used is linted on the token response that issued it (and so is the one the refresh
    // rotated to, also never used); the one that was used is not.
    const unusedLints = lints.filter((l) => l.code === 'refresh-token-unused');
    expect(unusedLints).toHaveLength(2);
    const report = await server.inspector!.read({ since });
    const issuing = report.steps.find((s) => s.seq === unusedLints[0]!.seq)!;
    expect(issuing.endpoint).toBe('token');
    expect((issuing.response?.refresh_token as { fp: string }).fp).toBe(unused.refresh_token!.slice(0, 8));
    const usedFp = used.refresh_token!.slice(0, 8);
    const lintedFps = unusedLints.map((l) => (report.steps.find((s) => s.seq === l.seq)!.response?.refresh_token as { fp: string }).fp);
    expect(lintedFps).not.toContain(usedFp);
  });

  it('userinfo called with the ID token instead of the access token', async () => {
    const tokens = await autoLoginCodeFlow(config, redirectUri);
    const since = await last();
    await fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${tokens.id_token}` } });
    expect(codes(await lintsSince(since))).toEqual(['userinfo-with-id-token']);
  });

  it('a client secret in the query string', async () => {
    const since = await last();
    await fetch(`${server.issuer}/token?client_id=web&client_secret=${web.client_secret}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials',
    });
    const lints = await lintsSince(since);
    expect(codes(lints)).toEqual(['client-secret-in-query']);
    expect(lints[0]!.spec).toBe('RFC 6749 2.3.1');
    expect(JSON.stringify(await server.inspector!.read({ since }))).not.toContain(web.client_secret);
  });

  it('an expired ID token hint, at the authorization and at the logout endpoint', async () => {
    const tokens = await autoLoginCodeFlow(config, redirectUri);
    server.clock.advance('2h');
    const since = await last();
    const { challenge } = await pkce();
    await authorize({ state: 's', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256', id_token_hint: tokens.id_token!, prompt: 'none' });
    await fetch(`${server.issuer}/session/end?id_token_hint=${tokens.id_token}`, { redirect: 'manual' });
    const lints = await lintsSince(since);
    expect(codes(lints)).toEqual(['expired-id-token-hint', 'expired-id-token-hint']);
    expect(lints.map((l) => l.spec)).toEqual(['OpenID Connect Core 3.1.2.1', 'OpenID Connect RP-Initiated Logout 1.0 2']);
  });

  it('a device polling the token endpoint faster than its interval', async () => {
    const since = await last();
    const res = await fetch(`${server.issuer}/device/auth`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_id=tv&scope=openid',
    });
    const { device_code: deviceCode, interval } = await res.json() as { device_code: string; interval: number };
    expect(interval).toBeGreaterThan(0);
    const poll = () => tokenRequest(server, { grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: 'tv' });
    await poll();
    expect(await lintsSince(since)).toEqual([]);
    server.clock.advance(interval * 1000 + 100);
    await poll();
    expect(await lintsSince(since)).toEqual([]);
    await poll();
    const lints = await lintsSince(since);
    expect(codes(lints)).toEqual(['device-poll-too-fast']);
    const report = await server.inspector!.read({ since });
    expect(report.flows.find((f) => f.id === lints[0]!.flowId)!.steps.map((s) => s.endpoint)).toEqual(['device_authorization', 'token', 'token', 'token']);
  });
});
