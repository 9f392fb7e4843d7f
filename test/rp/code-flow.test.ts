import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { authorizationRequest, type AuthorizationRequest } from '../../src/rp/authorization-request.js';
import { readAuthorizationResponse } from '../../src/rp/authorization-response.js';
import { exchangeCode } from '../../src/rp/code-exchange.js';
import { discover, type AuthorizationServer } from '../../src/rp/discover.js';
import { introspect } from '../../src/rp/introspect.js';
import { fetchJwks } from '../../src/rp/jwks.js';
import { RpError } from '../../src/rp/rp-error.js';
import { fetchUserinfo } from '../../src/rp/userinfo.js';
import type { Client } from '../../src/store/types.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

/**
 * src/rp, the relying party of dev-op login and the playground, against a real dev-op on port 0
 * (auto-login alice, so the authorization request redirects straight back with a code).
 */

const REDIRECT = 'http://localhost:3000/cb';
const basic = confidentialClient({ client_id: 'rp-basic', skip_consent: true, scope: 'offline_access' });
const post = confidentialClient({ client_id: 'rp-post', client_secret: 'post-secret', token_endpoint_auth_method: 'client_secret_post', skip_consent: true });
const publicClient = confidentialClient({ client_id: 'rp-public', client_secret: undefined, token_endpoint_auth_method: 'none', skip_consent: true });
const hs256 = confidentialClient({
  client_id: 'rp-hs256', client_secret: 'a-client-secret-that-is-long-enough-for-hs256', id_token_signed_response_alg: 'HS256', skip_consent: true,
});

describe('src/rp against a running dev-op', () => {
  let op: DevOp;
  let as: AuthorizationServer;

  beforeAll(async () => {
    op = await startTestOp({ autoLogin: 'alice' });
    for (const c of [basic, post, publicClient, hs256]) await op.store.addClient(c);
    as = await discover(op.issuer, { issuer: op.issuer });
  });
  afterAll(async () => {
    await op?.stop();
  });

  /** Send the authorization request; the browser's part is one redirect back, with the code. */
  async function authorize(client: Client, scope = 'openid profile email'): Promise<{ request: AuthorizationRequest; callback: URLSearchParams }> {
    const request = await authorizationRequest(as.authorization_endpoint, { clientId: client.client_id, redirectUri: REDIRECT, scope });
    const res = await fetch(request.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(REDIRECT);
    return { request, callback: location.searchParams };
  }

  it('discovers the OP: its issuer and the endpoints it names', () => {
    expect(as).toMatchObject({
      issuer: op.issuer, authorization_endpoint: `${op.issuer}/auth`, token_endpoint: `${op.issuer}/token`, jwks_uri: `${op.issuer}/jwks`,
      authorization_response_iss_parameter_supported: true,
    });
  });

  it('the authorization request carries fresh state and nonce and a PKCE S256 challenge of its verifier', async () => {
    const a = await authorizationRequest(as.authorization_endpoint, { clientId: 'web', redirectUri: REDIRECT, scope: 'openid', prompt: 'login' });
    const b = await authorizationRequest(as.authorization_endpoint, { clientId: 'web', redirectUri: REDIRECT, scope: 'openid' });
    const q = a.url.searchParams;
    expect(Object.fromEntries(q)).toMatchObject({ response_type: 'code', client_id: 'web', redirect_uri: REDIRECT, scope: 'openid', prompt: 'login', code_challenge_method: 'S256' });
    expect(q.get('code_challenge')).toBe(createHash('sha256').update(a.verifier).digest('base64url'));
    expect(q.get('state')).toBe(a.state);
    expect(q.get('nonce')).toBe(a.nonce);
    for (const v of [a.state, a.nonce, a.verifier]) expect(v.length).toBeGreaterThanOrEqual(43);
    expect([b.state, b.nonce, b.verifier]).not.toContain(a.state);
    expect(b.url.searchParams.has('prompt')).toBe(false);
  });

  it.each([['client_secret_basic', basic], ['client_secret_post', post], ['none (public, PKCE only)', publicClient]])(
    'code flow as %s: code redeemed, ID token validated (oauth4webapi) and its signature checked, userinfo for the same sub',
    async (_, client) => {
      const { request, callback } = await authorize(client);
      const outcome = readAuthorizationResponse(as, client.client_id, callback, request.state);
      expect('code' in outcome).toBe(true);
      if (!('code' in outcome)) return;
      const exchange = await exchangeCode(as, client, outcome.code, request, await fetchJwks(as));
      expect(exchange.refused).toBeUndefined();
      expect(exchange.rejected).toBeUndefined();
      expect(exchange.answer).toMatchObject({ status: 200, body: { token_type: 'Bearer', scope: 'openid profile email' } });
      const id = exchange.idToken!;
      expect(id.checks.filter((c) => !c.ok)).toEqual([]);
      expect(id.valid).toBe(true);
      expect(id.checks.map((c) => c.text)).toEqual([
        `Signature valid (${String(id.header.alg)}, a key from the JWKS)`, 'Not expired', `iss is ${op.issuer}`, `aud includes ${client.client_id}`,
        'nonce matches the one sent', 'oauth4webapi accepts the token response (OIDC Core 3.1.3.7)',
      ]);
      expect(id.payload).toMatchObject({ sub: 'alice', nonce: request.nonce });

      const me = await fetchUserinfo(as, client, exchange.answer.body!.access_token as string, 'alice');
      expect(me.refused).toBeUndefined();
      expect(me.answer.body).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
    },
  );

  it('introspection as a confidential client: the access token is active; a made-up one is not', async () => {
    const { request, callback } = await authorize(basic);
    const outcome = readAuthorizationResponse(as, basic.client_id, callback, request.state);
    if (!('code' in outcome)) throw new Error('expected a code');
    const { answer } = await exchangeCode(as, basic, outcome.code, request, await fetchJwks(as));
    expect(await introspect(as, basic, answer.body!.access_token as string)).toMatchObject({ active: true, answer: { status: 200, body: { client_id: 'rp-basic', sub: 'alice' } } });
    expect(await introspect(as, basic, 'not-a-token')).toMatchObject({ active: false });
  });

  it('an HS256 client: the ID token is checked with the client secret', async () => {
    const { request, callback } = await authorize(hs256);
    const outcome = readAuthorizationResponse(as, hs256.client_id, callback, request.state);
    if (!('code' in outcome)) throw new Error('expected a code');
    const exchange = await exchangeCode(as, hs256, outcome.code, request, await fetchJwks(as));
    expect(exchange.idToken?.header.alg).toBe('HS256');
    expect(exchange.idToken?.valid, exchange.idToken?.reason).toBe(true);
    expect(exchange.idToken?.checks[0]).toEqual({ ok: true, text: 'Signature valid (HS256, the client secret)' });
  });

  it('a code is redeemed once; a wrong PKCE verifier is refused, with the OP\'s reason', async () => {
    const { request, callback } = await authorize(basic);
    const outcome = readAuthorizationResponse(as, basic.client_id, callback, request.state);
    if (!('code' in outcome)) throw new Error('expected a code');
    const jwks = await fetchJwks(as);
    const wrong = await exchangeCode(as, basic, outcome.code, { ...request, verifier: 'x'.repeat(43) }, jwks);
    expect(wrong.refused).toMatch(/PKCE verification failed.*\(invalid_grant\)$/);
    expect(wrong.answer.status).toBe(400);

    const { request: r2, callback: c2 } = await authorize(basic);
    const o2 = readAuthorizationResponse(as, basic.client_id, c2, r2.state);
    if (!('code' in o2)) throw new Error('expected a code');
    expect((await exchangeCode(as, basic, o2.code, r2, jwks)).refused).toBeUndefined();
    expect((await exchangeCode(as, basic, o2.code, r2, jwks)).refused).toMatch(/\(invalid_grant\)$/);
  });

  it('an ID token with another nonce, or signed by a key not in the JWKS, is not valid: each says why', async () => {
    const { request, callback } = await authorize(publicClient);
    const outcome = readAuthorizationResponse(as, publicClient.client_id, callback, request.state);
    if (!('code' in outcome)) throw new Error('expected a code');
    const replayed = await exchangeCode(as, publicClient, outcome.code, { ...request, nonce: 'another-nonce' }, await fetchJwks(as));
    expect(replayed.refused).toBeUndefined();
    expect(replayed.idToken?.valid).toBe(false);
    expect(replayed.idToken?.reason).toBe(`nonce "${request.nonce}" is not the one sent`);
    expect(replayed.idToken?.checks.at(-1)).toMatchObject({ ok: false, text: expect.stringMatching(/^oauth4webapi refuses the token response: .*nonce/) });

    const { request: r2, callback: c2 } = await authorize(publicClient);
    const o2 = readAuthorizationResponse(as, publicClient.client_id, c2, r2.state);
    if (!('code' in o2)) throw new Error('expected a code');
    const foreign = await exchangeCode(as, publicClient, o2.code, r2, { keys: [] });
    expect(foreign.idToken?.valid).toBe(false);
    expect(foreign.idToken?.reason).toMatch(/^signed by an unknown key \(kid /);
  });

  it('without openid in the scope: a plain OAuth 2.0 token response, no ID token needed', async () => {
    const { request, callback } = await authorize(basic, 'profile');
    const outcome = readAuthorizationResponse(as, basic.client_id, callback, request.state);
    if (!('code' in outcome)) throw new Error('expected a code');
    const exchange = await exchangeCode(as, basic, outcome.code, request, await fetchJwks(as));
    expect(exchange).toMatchObject({ answer: { status: 200 } });
    expect(exchange.refused ?? exchange.rejected ?? exchange.idToken).toBeUndefined();
  });

  describe('the authorization response', () => {
    const params = (p: Record<string, string>) => new URLSearchParams(p);
    const reason = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(RpError);
        return [(err as RpError).reason, (err as RpError).message];
      }
      throw new Error('expected an RpError');
    };

    it('another state is refused (CSRF, RFC 6749 10.12)', () => {
      expect(reason(() => readAuthorizationResponse(as, 'web', params({ code: 'c', state: 'forged', iss: op.issuer }), 'sent'))).toEqual([
        'state_mismatch', 'the browser came back with another state than this login sent (an old tab, or a forged request)',
      ]);
    });

    it('another iss, or none from an OP that says it sends one, is refused (RFC 9207 2.4)', () => {
      expect(reason(() => readAuthorizationResponse(as, 'web', params({ code: 'c', state: 's', iss: 'http://evil.example' }), 's'))).toEqual([
        'mix_up', `the authorization response names issuer http://evil.example, not ${op.issuer} (RFC 9207 mix-up protection)`,
      ]);
      expect(reason(() => readAuthorizationResponse(as, 'web', params({ code: 'c', state: 's' }), 's'))[0]).toBe('mix_up');
    });

    it('an error from the OP is an outcome to show; neither code nor error is refused', () => {
      expect(readAuthorizationResponse(as, 'web', params({ error: 'access_denied', error_description: 'no', state: 's', iss: op.issuer }), 's'))
        .toEqual({ error: 'access_denied', description: 'no' });
      expect(reason(() => readAuthorizationResponse(as, 'web', params({ state: 's', iss: op.issuer }), 's'))[0]).toBe('invalid_response');
    });
  });

  it('userinfo for another sub than the ID token\'s is refused (OIDC Core 5.3.2)', async () => {
    const { request, callback } = await authorize(basic);
    const outcome = readAuthorizationResponse(as, basic.client_id, callback, request.state);
    if (!('code' in outcome)) throw new Error('expected a code');
    const { answer } = await exchangeCode(as, basic, outcome.code, request, await fetchJwks(as));
    const me = await fetchUserinfo(as, basic, answer.body!.access_token as string, 'mallory');
    expect(me.answer.status).toBe(200);
    expect(me.refused).toMatch(/sub/);
    expect((await fetchUserinfo(as, basic, 'made-up', undefined)).refused).toMatch(/HTTP 401|invalid_token/);
  });
});
