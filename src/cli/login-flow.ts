import { resolve } from 'node:path';
import { ConfigError } from '../errors/app-errors.js';
import { s256 } from '../provider/checks/pkce.js';
import { parseLoopbackRedirect } from '../provider/checks/redirect-uri.js';
import { ownerConnectHost, ownerIsAlive, readOwner, type DataOwner } from '../store/lock.js';
import { randomId } from '../util/random.js';
import type { Client } from '../store/types.js';
import { LoginError, type LoopbackTarget } from './loopback-callback.js';

/** The protocol half of `dev-op login`: find the server, build the request, check the answer, exchange the code. */

export interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  authorization_response_iss_parameter_supported?: boolean;
}

export interface FoundServer {
  issuer: string;
  discovery: Discovery;
  /** Found through the data file's owner: management operations reach it live. */
  live: boolean;
}

export interface AuthorizationRequest {
  url: URL;
  redirectUri: string;
  state: string;
  nonce: string;
  verifier: string;
}

/** The owner's server as an origin (IPv6 in brackets). */
function ownerOrigin(owner: DataOwner): string {
  const host = ownerConnectHost(owner);
  return `http://${host.includes(':') ? `[${host}]` : host}:${owner.port}`;
}

/** The discovery document at `base`; undefined when nothing listens there. */
async function fetchDiscovery(base: string): Promise<Discovery | undefined> {
  const url = `${base.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return undefined;
    throw new ConfigError(`could not fetch ${url}: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`);
  }
  const doc = (await res.json().catch(() => undefined)) as Partial<Discovery> | undefined;
  const fields = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;
  if (!res.ok || !doc || fields.some((f) => typeof doc[f] !== 'string')) {
    throw new ConfigError(`${url} answered ${res.status} without an OpenID Provider's discovery document`);
  }
  return doc as Discovery;
}

/** The server for the data file (its owner file), else the one at --issuer. */
export async function findServer(data: string, issuerFlag: string | undefined): Promise<FoundServer> {
  const wanted = issuerFlag?.replace(/\/$/, '');
  const owner = await readOwner(resolve(data));
  if (owner?.port && ownerIsAlive(owner)) {
    const discovery = await fetchDiscovery(ownerOrigin(owner));
    if (discovery) {
      if (wanted !== undefined && wanted !== discovery.issuer) {
        throw new ConfigError(`the dev-op server on ${data} has issuer ${discovery.issuer}, not ${wanted}; leave out --issuer or give another --data`);
      }
      return { issuer: discovery.issuer, discovery, live: true };
    }
  }
  if (wanted === undefined) throw new ConfigError(`no dev-op server is running on ${data}; run \`dev-op start\` first (or give --issuer URL)`);
  const discovery = await fetchDiscovery(wanted);
  if (!discovery) throw new ConfigError(`nothing answers at ${wanted}; run \`dev-op start\` first`);
  if (discovery.issuer !== wanted) throw new ConfigError(`the server at ${wanted} says its issuer is ${discovery.issuer}; use that as --issuer`);
  return { issuer: discovery.issuer, discovery, live: false };
}

/**
 * Where the browser comes back: a native client's loopback IP literal on any free port (RFC 8252
 * 7.3), else a loopback redirect URI (IP literal or localhost) on the port it was registered with.
 */
export function loopbackTarget(client: Client): LoopbackTarget | undefined {
  const native = client.application_type === 'native' ? client.redirect_uris.find((uri) => parseLoopbackRedirect(uri)) : undefined;
  if (native) return { registered: native, host: new URL(native).hostname, port: 0, path: new URL(native).pathname };
  for (const uri of client.redirect_uris) {
    const url = URL.canParse(uri) ? new URL(uri) : undefined;
    if (url?.protocol !== 'http:' || !['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname)) continue;
    if (!uri.startsWith(`http://${url.hostname}`)) continue; // userinfo, or a spelling the browser would rewrite
    return { registered: uri, host: url.hostname, port: Number(url.port || 80), path: url.pathname };
  }
  return undefined;
}

/** The authorization request (OIDC Core 3.1.2.1) with state, nonce and PKCE S256 (RFC 7636). */
export function authorizationRequest(server: FoundServer, client: Client, redirectUri: string, scope: string): AuthorizationRequest {
  const state = randomId();
  const nonce = randomId();
  const verifier = randomId();
  const url = new URL(server.discovery.authorization_endpoint);
  for (const [k, v] of Object.entries({
    client_id: client.client_id, redirect_uri: redirectUri, response_type: 'code', scope, state, nonce,
    code_challenge: s256(verifier), code_challenge_method: 'S256',
  })) url.searchParams.set(k, v);
  return { url, redirectUri, state, nonce, verifier };
}

/**
 * With no owner file, the client was not read from the server: ask it whether it knows the client
 * and redirect_uri before sending a browser there. A request without response_type changes nothing:
 * a known client and redirect_uri are answered with a redirect (carrying the error), others with a page.
 */
export async function preflight(server: FoundServer, client: Client, redirectUri: string): Promise<void> {
  const url = new URL(server.discovery.authorization_endpoint);
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('redirect_uri', redirectUri);
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  if (res.status >= 300 && res.status < 400) return;
  throw new LoginError(`${server.issuer} does not accept client ${client.client_id} with redirect_uri ${redirectUri} (HTTP ${res.status}); register it there as a native client with redirect URI ${client.redirect_uris[0] ?? 'http://127.0.0.1/callback'}`);
}

function describe(error: string, description: string | null): string {
  return description ? `${description} (${error})` : error;
}

/** The browser's answer (RFC 6749 4.1.2, RFC 9207) checked, the code exchanged, the ID token verified. */
export async function finishLogin(server: FoundServer, client: Client, request: AuthorizationRequest, query: URLSearchParams) {
  if (query.get('state') !== request.state) {
    throw new LoginError('the browser came back with another state than this login sent (an old tab, or a forged request); run dev-op login again');
  }
  const iss = query.get('iss');
  if (iss !== null ? iss !== server.issuer : server.discovery.authorization_response_iss_parameter_supported === true) {
    throw new LoginError(`the authorization response names issuer ${iss ?? '(none)'}, not ${server.issuer} (RFC 9207 mix-up protection)`);
  }
  const error = query.get('error');
  if (error === 'access_denied') throw new LoginError(`login denied: ${query.get('error_description') ?? 'the user said no'}`);
  if (error !== null) throw new LoginError(`the server refused the login: ${describe(error, query.get('error_description'))}`);
  const code = query.get('code');
  if (!code) throw new LoginError('the browser came back without an authorization code');

  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: request.redirectUri, code_verifier: request.verifier });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (client.token_endpoint_auth_method === 'client_secret_basic') {
    // RFC 6749 2.3.1: each part form-urlencoded before base64.
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${enc(client.client_id)}:${enc(client.client_secret!)}`).toString('base64')}`;
  } else {
    form.set('client_id', client.client_id);
    if (client.token_endpoint_auth_method === 'client_secret_post') form.set('client_secret', client.client_secret!);
  }
  let res: Response;
  try {
    res = await fetch(server.discovery.token_endpoint, { method: 'POST', headers, body: form, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new LoginError(`could not reach the token endpoint ${server.discovery.token_endpoint}: ${((err as Error).cause as Error | undefined)?.message ?? (err as Error).message}`);
  }
  const tokens = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!res.ok || !tokens || typeof tokens.access_token !== 'string') {
    const e = typeof tokens?.error === 'string' ? describe(tokens.error, typeof tokens.error_description === 'string' ? tokens.error_description : null) : `HTTP ${res.status}`;
    throw new LoginError(`the token endpoint refused the code: ${e}`);
  }
  const claims = typeof tokens.id_token === 'string' ? await verifyIdToken(server, client, tokens.id_token, request.nonce) : undefined;
  return { tokens, claims };
}

/** OIDC Core 3.1.3.7: signature (the server's JWKS, or the client secret for HS256), iss, aud, exp, nonce. */
async function verifyIdToken(server: FoundServer, client: Client, idToken: string, nonce: string): Promise<Record<string, unknown>> {
  const jose = await import('jose');
  try {
    const { alg } = jose.decodeProtectedHeader(idToken);
    const options = { issuer: server.issuer, audience: client.client_id, clockTolerance: 5 };
    const { payload } = alg === 'HS256'
      ? await jose.jwtVerify(idToken, new TextEncoder().encode(client.client_secret ?? ''), { ...options, algorithms: ['HS256'] })
      : await jose.jwtVerify(idToken, jose.createRemoteJWKSet(new URL(server.discovery.jwks_uri)), options);
    if (payload.nonce !== nonce) throw new Error('its nonce is not the one this login sent');
    return payload as Record<string, unknown>;
  } catch (err) {
    throw new LoginError(`the ID token did not verify: ${(err as Error).message}`);
  }
}
