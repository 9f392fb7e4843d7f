import * as oidc from 'openid-client';
import { expect } from 'vitest';
import type { DevOp } from '../../src/index.js';
import type { Client } from '../../src/store/types.js';
import { FormAgent, formAction, inputValue } from '../helpers/browser-like.js';

/** An openid-client v6 relying party for `client`, configured from the OP's discovery document. */
export async function relyingParty(server: DevOp, client: Client): Promise<oidc.Configuration> {
  const auth = client.token_endpoint_auth_method === 'none'
    ? oidc.None()
    : client.token_endpoint_auth_method === 'client_secret_post'
      ? oidc.ClientSecretPost(client.client_secret)
      : oidc.ClientSecretBasic(client.client_secret);
  return oidc.discovery(new URL(server.issuer), client.client_id, client.client_secret, auth, {
    execute: [oidc.allowInsecureRequests],
  });
}

/** What an RP keeps between building the authorization URL and handling the callback. */
export interface AuthRequest {
  url: URL;
  state: string;
  nonce: string;
  verifier: string;
}

export async function authRequest(config: oidc.Configuration, redirectUri: string, extra: Record<string, string> = {}): Promise<AuthRequest> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, state, nonce, verifier };
}

/** The Location of a 302, asserting it is one. */
export function location(res: Response): string {
  expect(res.status, `expected a redirect, got ${res.status}`).toBe(302);
  const loc = res.headers.get('location');
  expect(loc).toBeTruthy();
  return loc!;
}

/** POST the form whose action matches `pattern` on `html`, with its csrf token and `fields`. */
export async function postForm(agent: FormAgent, html: string, pattern: RegExp, fields: Record<string, string>): Promise<Response> {
  const action = formAction(html, pattern);
  expect(action, `a form posting to ${pattern}`).toBeDefined();
  return agent.fetch(action!, { form: { csrf: inputValue(html, 'csrf')!, ...fields } });
}

/** GET an interaction page, asserting it renders. */
export async function page(agent: FormAgent, url: string): Promise<string> {
  const res = await agent.fetch(url);
  expect(res.status).toBe(200);
  return res.text();
}

/**
 * Drive a whole authorization in `agent`: log in as `username` if asked, allow consent if asked,
 * and return the callback URL the OP finally redirects to.
 */
export async function authorize(agent: FormAgent, url: URL | string, username = 'alice'): Promise<URL> {
  let next = location(await agent.fetch(url.toString()));
  for (let step = 0; step < 4 && next.includes('/interaction/'); step++) {
    const html = await page(agent, next);
    const res = formAction(html, /\/login$/)
      ? await postForm(agent, html, /\/login$/, { username })
      : await postForm(agent, html, /\/consent$/, { decision: 'allow' });
    next = location(res);
  }
  return new URL(next);
}

/** POST a form to the token endpoint with Basic credentials (form-url-encoded per RFC 6749 2.3.1). */
export async function tokenRequest(
  server: DevOp,
  form: Record<string, string> | URLSearchParams,
  credentials?: { id: string; secret: string },
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (credentials) headers.authorization = basic(credentials.id, credentials.secret);
  return fetch(`${server.issuer}/token`, { method: 'POST', headers, body: new URLSearchParams(form).toString() });
}

export function basic(id: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

/** The decoded JOSE header and payload of a compact JWT (no verification). */
export function decodeJwt(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = jwt.split('.');
  return {
    header: JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

export async function callUserinfo(server: DevOp, accessToken: string): Promise<Response> {
  return fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
}
