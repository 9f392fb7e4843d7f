import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent } from '../helpers/browser-like.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authorize, location } from './support.js';

const web = confidentialClient();
const spa = confidentialClient({
  client_id: 'spa', client_secret: undefined, token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:5173/cb'],
});
const redirectUri = web.redirect_uris[0]!;
// A valid S256 challenge (RFC 7636 appendix B).
const challenge = 'E9Melhoa2OwvFrEMTJguCQaoWZ1QgBA8b-qljg_pMJ4';
let server: DevOp;

beforeAll(async () => {
  server = await startTestOp();
  await server.store.addClient(web);
  await server.store.addClient(spa);
});
afterAll(async () => {
  await server.stop();
});

function authUrl(params: Record<string, string>): string {
  return `${server.issuer}/auth?${new URLSearchParams(params)}`;
}

const valid = (): Record<string, string> => ({
  client_id: web.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid',
  state: 'st-123', code_challenge: challenge, code_challenge_method: 'S256',
});

/** An error that must come back to the client's redirect_uri with state and iss (RFC 6749 4.1.2.1, RFC 9207). */
async function expectRedirectError(url: string, error: string, agent = new FormAgent(), base = redirectUri, state: string | null = 'st-123') {
  const back = new URL(location(await agent.fetch(url)));
  expect(back.origin + back.pathname).toBe(base);
  expect(back.searchParams.get('error')).toBe(error);
  expect(back.searchParams.get('error_description')).toBeTruthy();
  expect(back.searchParams.get('state')).toBe(state);
  expect(back.searchParams.get('iss')).toBe(server.issuer);
  expect(back.searchParams.has('code')).toBe(false);
}

/** An error that must be shown as a page and never redirected anywhere. */
async function expectErrorPage(res: Response, error: string) {
  expect(res.status).toBe(400);
  expect(res.headers.get('location')).toBeNull();
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await res.text();
  expect(html).toContain(error);
  return html;
}

describe('authorization endpoint: errors shown as a page, never redirected', () => {
  it('unregistered redirect_uri → 400 page, no Location', async () => {
    const res = await fetch(authUrl({ ...valid(), redirect_uri: 'https://evil.example/cb' }), { redirect: 'manual' });
    await expectErrorPage(res, 'invalid_redirect_uri');
  });

  it('redirect_uri differing only by a trailing slash is not registered (exact match)', async () => {
    const res = await fetch(authUrl({ ...valid(), redirect_uri: `${redirectUri}/` }), { redirect: 'manual' });
    await expectErrorPage(res, 'invalid_redirect_uri');
  });

  it('missing redirect_uri → 400 page', async () => {
    const { redirect_uri: _omit, ...params } = valid();
    await expectErrorPage(await fetch(authUrl(params), { redirect: 'manual' }), 'invalid_redirect_uri');
  });

  it('unknown client_id → 400 page, no redirect', async () => {
    const res = await fetch(authUrl({ ...valid(), client_id: 'nobody' }), { redirect: 'manual' });
    const html = await expectErrorPage(res, 'invalid_client');
    expect(html).toContain('nobody');
  });

  it('missing client_id → 400 page', async () => {
    const { client_id: _omit, ...params } = valid();
    await expectErrorPage(await fetch(authUrl(params), { redirect: 'manual' }), 'invalid_client');
  });

  it('a repeated parameter → 400 page (the redirect_uri cannot be trusted yet)', async () => {
    const url = `${authUrl(valid())}&scope=openid`;
    await expectErrorPage(await fetch(url, { redirect: 'manual' }), 'invalid_request');
  });
});

describe('authorization endpoint: errors redirected to the registered redirect_uri', () => {
  it('prompt=none without a session → login_required', async () => {
    await expectRedirectError(authUrl({ ...valid(), prompt: 'none' }), 'login_required');
  });

  it('prompt=none with a session but no consent → consent_required', async () => {
    const agent = new FormAgent();
    // Log in through another client so the session exists but has no consent for `web`.
    const spaAuth = authUrl({
      client_id: spa.client_id, redirect_uri: spa.redirect_uris[0]!, response_type: 'code', scope: 'openid',
      code_challenge: challenge, code_challenge_method: 'S256',
    });
    expect((await authorize(agent, spaAuth)).searchParams.get('code')).toBeTruthy();
    await expectRedirectError(authUrl({ ...valid(), prompt: 'none' }), 'consent_required', agent);
  });

  it('prompt=none combined with another value → invalid_request', async () => {
    await expectRedirectError(authUrl({ ...valid(), prompt: 'none login' }), 'invalid_request');
  });

  it('public client without code_challenge → invalid_request', async () => {
    const url = authUrl({ client_id: spa.client_id, redirect_uri: spa.redirect_uris[0]!, response_type: 'code', scope: 'openid', state: 'st-123' });
    await expectRedirectError(url, 'invalid_request', new FormAgent(), spa.redirect_uris[0]!);
  });

  it('code_challenge_method=plain → invalid_request', async () => {
    await expectRedirectError(authUrl({ ...valid(), code_challenge: challenge, code_challenge_method: 'plain' }), 'invalid_request');
  });

  it('code_challenge without a method → invalid_request (plain is not the default here)', async () => {
    const { code_challenge_method: _omit, ...params } = valid();
    await expectRedirectError(authUrl(params), 'invalid_request');
  });

  it('an unsigned request object (alg none, not allowed by default) → invalid_request_object', async () => {
    await expectRedirectError(authUrl({ ...valid(), request: 'eyJhbGciOiJub25lIn0.e30.' }), 'invalid_request_object');
  });

  it('a request_uri that is not a pushed request\'s URN (remote request_uri is not fetched) → request_uri_not_supported', async () => {
    await expectRedirectError(authUrl({ ...valid(), request_uri: 'urn:example:req' }), 'request_uri_not_supported');
  });

  it('response_type token (implicit OAuth, not OIDC) → unsupported_response_type', async () => {
    // The error may travel in the fragment (the default for token types) or the query: either way, back to the client.
    const back = new URL(location(await new FormAgent().fetch(authUrl({ ...valid(), response_type: 'token' }))));
    expect(back.origin + back.pathname).toBe(redirectUri);
    const params = back.hash ? new URLSearchParams(back.hash.slice(1)) : back.searchParams;
    expect(params.get('error')).toBe('unsupported_response_type');
    expect(params.get('state')).toBe('st-123');
    expect(params.get('iss')).toBe(server.issuer);
  });

  it('an unknown response_type without token or id_token → unsupported_response_type in the query', async () => {
    // OAuth 2.0 Multiple Response Type Encoding Practices 5: the default response mode is query
    // unless the response type names token or id_token; a code-flow RP reads only the query.
    for (const responseType of ['code unknown_type', 'foo']) {
      const url = authUrl({ ...valid(), response_type: responseType });
      const back = new URL(location(await new FormAgent().fetch(url)));
      expect(back.hash, responseType).toBe('');
      await expectRedirectError(url, 'unsupported_response_type');
    }
  });

  it('missing response_type → invalid_request', async () => {
    const { response_type: _omit, ...params } = valid();
    await expectRedirectError(authUrl(params), 'invalid_request');
  });

  it('an unknown response_mode → invalid_request', async () => {
    await expectRedirectError(authUrl({ ...valid(), response_mode: 'web_message' }), 'invalid_request');
  });

  it('a scope the client may not request → invalid_scope', async () => {
    await expectRedirectError(authUrl({ ...valid(), scope: 'openid admin:all' }), 'invalid_scope');
  });

  it('an unsupported prompt value → invalid_request', async () => {
    await expectRedirectError(authUrl({ ...valid(), prompt: 'dance' }), 'invalid_request');
  });

  it('a non-numeric max_age → invalid_request', async () => {
    await expectRedirectError(authUrl({ ...valid(), max_age: 'soon' }), 'invalid_request');
  });

  it('a client not registered for the code flow → unauthorized_client', async () => {
    await server.store.addClient(confidentialClient({ client_id: 'm2m', grant_types: ['client_credentials'], response_types: [] }));
    await expectRedirectError(authUrl({ ...valid(), client_id: 'm2m' }), 'unauthorized_client');
  });

  it('without state, the error redirect carries no state', async () => {
    const { state: _omit, ...params } = valid();
    await expectRedirectError(authUrl({ ...params, prompt: 'none' }), 'login_required', new FormAgent(), redirectUri, null);
  });
});

describe('authorization endpoint: POST', () => {
  it('accepts the request as a form body (OIDC Core 3.1.2.1)', async () => {
    const res = await new FormAgent().fetch(`${server.issuer}/auth`, { form: valid() });
    expect(location(res)).toMatch(new RegExp(`^${server.issuer}/interaction/`));
  });
});
