import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { Client } from '../../store/types.js';
import type { Provider } from '../context.js';
import type { Discovered, LoopbackResponse } from './loopback.js';
import type { PlaygroundRun } from './run-cookie.js';

/** One check the playground made, shown as a tick or a cross. */
export interface Check {
  ok: boolean;
  text: string;
}

export interface InspectedToken {
  raw: string;
  format: 'jwt' | 'opaque';
  header?: Record<string, unknown>;
  /** The JWT payload (decoded even when verification failed), or an introspection response. */
  claims?: Record<string, unknown>;
  /** Where `claims` came from for an opaque token. */
  source?: string;
  checks: Check[];
}

export interface HttpResult {
  status: number;
  body: Record<string, unknown> | undefined;
  /** The body as text when it was not JSON. */
  text?: string;
}

export interface Redeemed {
  token: HttpResult;
  idToken?: InspectedToken;
  accessToken?: InspectedToken;
  userinfo?: HttpResult & { checks: Check[] };
}

/** RFC 6749 2.3.1: client_id and secret are form-url-encoded before Basic encoding. */
function formEncode(s: string): string {
  return encodeURIComponent(s).replace(/%20/g, '+');
}

/** Client authentication at the token (and introspection) endpoint, as the client registered it. */
function authenticate(client: Client, body: URLSearchParams, headers: Record<string, string>): void {
  const method = client.token_endpoint_auth_method;
  if (method === 'client_secret_basic') {
    const pair = `${formEncode(client.client_id)}:${formEncode(client.client_secret ?? '')}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  } else if (method === 'client_secret_post') {
    body.set('client_id', client.client_id);
    body.set('client_secret', client.client_secret ?? '');
  } else {
    body.set('client_id', client.client_id);
  }
}

function readJson({ status, text }: LoopbackResponse): HttpResult {
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) return { status, body: body as Record<string, unknown> };
  } catch {
    // not JSON
  }
  return { status, body: undefined, text };
}

async function postForm(endpoints: Discovered, url: string, client: Client, params: Record<string, string>): Promise<HttpResult> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  authenticate(client, body, headers);
  return readJson(await endpoints.call(url, { method: 'POST', headers, body: body.toString() }));
}

const isJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);

/** Verify a JWT against the JWKS (or the client secret for HS*), collecting what was checked. */
async function inspectJwt(
  raw: string,
  keys: ReturnType<typeof createLocalJWKSet>,
  client: Client,
  expect: { issuer: string; audience?: string; typ?: string; now: Date },
): Promise<InspectedToken> {
  const header = decodeProtectedHeader(raw) as Record<string, unknown>;
  const out: InspectedToken = { raw, format: 'jwt', header, claims: decodeJwt(raw) as Record<string, unknown>, checks: [] };
  const alg = String(header.alg);
  const key = alg.startsWith('HS') ? new TextEncoder().encode(client.client_secret ?? '') : keys;
  try {
    const verified = await jwtVerify(raw, key as Parameters<typeof jwtVerify>[1], {
      issuer: expect.issuer, audience: expect.audience, typ: expect.typ, currentDate: expect.now,
    });
    out.claims = verified.payload as Record<string, unknown>;
    const by = alg.startsWith('HS') ? 'the client secret' : 'a key from the JWKS';
    out.checks.push({ ok: true, text: `Signature valid (${alg}, ${by})` });
    out.checks.push({ ok: true, text: `iss is ${expect.issuer}` });
    if (expect.audience) out.checks.push({ ok: true, text: `aud includes ${expect.audience}` });
    if (expect.typ) out.checks.push({ ok: true, text: `typ is ${expect.typ}` });
    out.checks.push({ ok: true, text: 'Not expired' });
  } catch (err) {
    out.checks.push({ ok: false, text: `Verification failed: ${(err as Error).message}` });
  }
  return out;
}

/**
 * The relying party's half of the code flow: redeem the code at the token endpoint, verify the
 * tokens against the JWKS, and call userinfo — every call over HTTP to the OP's own endpoints.
 */
export async function redeem(op: Provider, endpoints: Discovered, client: Client, run: PlaygroundRun, code: string, redirectUri: string): Promise<Redeemed> {
  const tokenUrl = endpoints.endpoint('token_endpoint')!;
  const token = await postForm(endpoints, tokenUrl, client, {
    grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: run.verifier,
  });
  const out: Redeemed = { token };
  if (token.status !== 200 || !token.body) return out;

  const jwks = readJson(await endpoints.call(endpoints.endpoint('jwks_uri')!)).body as JSONWebKeySet | undefined;
  const keys = createLocalJWKSet(jwks ?? { keys: [] });
  const now = new Date(op.clock.now());
  const issuer = op.config.issuer;

  const idToken = token.body.id_token;
  if (typeof idToken === 'string') {
    out.idToken = await inspectJwt(idToken, keys, client, { issuer, audience: client.client_id, now });
    const nonce = out.idToken.claims?.nonce;
    out.idToken.checks.push(nonce === run.nonce
      ? { ok: true, text: 'nonce matches the one the playground sent' }
      : { ok: false, text: `nonce ${JSON.stringify(nonce)} does not match the one sent` });
  }

  const accessToken = token.body.access_token;
  if (typeof accessToken === 'string') {
    if (isJwt(accessToken)) {
      out.accessToken = await inspectJwt(accessToken, keys, client, { issuer, typ: 'at+jwt', now });
    } else {
      out.accessToken = await introspect(endpoints, client, accessToken);
    }
    out.userinfo = await callUserinfo(endpoints, accessToken, out.idToken?.claims);
  }
  return out;
}

/** An opaque access token has nothing to decode: ask the introspection endpoint when there is one. */
async function introspect(endpoints: Discovered, client: Client, raw: string): Promise<InspectedToken> {
  const out: InspectedToken = { raw, format: 'opaque', checks: [] };
  const url = endpoints.endpoint('introspection_endpoint');
  if (!url || client.token_endpoint_auth_method === 'none') {
    out.checks.push({ ok: true, text: 'Opaque token: only the OP can read it' });
    return out;
  }
  const res = await postForm(endpoints, url, client, { token: raw, token_type_hint: 'access_token' });
  if (res.status === 200 && res.body) {
    out.claims = res.body;
    out.source = 'introspection';
    out.checks.push(res.body.active === true
      ? { ok: true, text: 'Opaque token: introspection says it is active' }
      : { ok: false, text: 'Opaque token: introspection says it is not active' });
  } else {
    out.checks.push({ ok: false, text: `Introspection answered ${res.status}` });
  }
  return out;
}

async function callUserinfo(endpoints: Discovered, accessToken: string, idClaims: JWTPayload | undefined) {
  const url = endpoints.endpoint('userinfo_endpoint')!;
  const res = readJson(await endpoints.call(url, { headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' } }));
  const checks: Check[] = [];
  if (res.status === 200 && res.body && idClaims?.sub !== undefined) {
    checks.push(res.body.sub === idClaims.sub
      ? { ok: true, text: 'sub matches the ID token' }
      : { ok: false, text: `sub ${JSON.stringify(res.body.sub)} differs from the ID token's` });
  }
  return { ...res, checks };
}
