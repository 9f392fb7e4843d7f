import { ConfigError } from '../errors/app-errors.js';
import type { AuthorizationRequest } from '../rp/authorization-request.js';
import { readAuthorizationResponse } from '../rp/authorization-response.js';
import type { RpClient } from '../rp/client.js';
import { exchangeCode } from '../rp/code-exchange.js';
import { discover, type AuthorizationServer } from '../rp/discover.js';
import { fetchJwks } from '../rp/jwks.js';
import { RpError } from '../rp/rp-error.js';
import type { Transport } from '../rp/transport.js';
import { serverOnData } from '../app/running-server.js';
import { LoginError } from './loopback-callback.js';
import { serverTransport } from './server-transport.js';

/** The protocol half of `dev-op login` over src/rp: find the server, check the answer, redeem the code. */

export interface FoundServer {
  as: AuthorizationServer;
  /** Found through the data file's owner: management operations reach it live. */
  live: boolean;
  /** How to reach it: for an --https server found through its owner, TLS pinned to its certificate. */
  transport: Transport;
}

/** The OP's metadata at `base`; undefined when nothing listens there. */
async function discoverAt(base: string, issuer?: string, transport: Transport = {}): Promise<AuthorizationServer | undefined> {
  try {
    return await discover(base, { transport, ...(issuer === undefined ? {} : { issuer }) });
  } catch (err) {
    if (err instanceof RpError && err.reason === 'unreachable') return undefined;
    throw err;
  }
}

/** The live server that owns the data file (its owner file), discovered, and how to reach it; undefined if none answers. */
export async function discoverRunning(data: string): Promise<{ as: AuthorizationServer; transport: Transport } | undefined> {
  const running = await serverOnData(data);
  if (!running) return undefined;
  const as = await discoverAt(running.base, undefined, serverTransport(running, new URL(running.base).origin));
  return as && { as, transport: serverTransport(running, new URL(as.issuer).origin) };
}

/** The server for the data file (its owner file), else the one at --issuer. */
export async function findServer(data: string, issuerFlag: string | undefined): Promise<FoundServer> {
  if (issuerFlag !== undefined && !URL.canParse(issuerFlag)) throw new ConfigError(`--issuer ${issuerFlag} is not a URL`);
  const wanted = issuerFlag === undefined ? undefined : new URL(issuerFlag).href;
  const running = await discoverRunning(data);
  if (running) {
    if (wanted !== undefined && wanted !== new URL(running.as.issuer).href) {
      throw new ConfigError(`the dev-op server on ${data} has issuer ${running.as.issuer}, not ${issuerFlag}; leave out --issuer or give another --data`);
    }
    return { ...running, live: true };
  }
  if (issuerFlag === undefined) throw new ConfigError(`no dev-op server is running on ${data}; run \`dev-op start\` first (or give --issuer URL)`);
  const as = await discoverAt(issuerFlag, issuerFlag);
  if (!as) throw new ConfigError(`nothing answers at ${issuerFlag}; run \`dev-op start\` first`);
  return { as, live: false, transport: {} };
}

/**
 * With no owner file, the client was not read from the server: ask it whether it knows the client
 * and redirect_uri before sending a browser there. A request without response_type changes nothing:
 * a known client and redirect_uri are answered with a redirect (carrying the error), others with a page.
 */
export async function preflight(as: AuthorizationServer, client: { client_id: string; redirect_uris: string[] }, redirectUri: string): Promise<void> {
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('redirect_uri', redirectUri);
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  if (res.status >= 300 && res.status < 400) return;
  throw new LoginError(`${as.issuer} does not accept client ${client.client_id} with redirect_uri ${redirectUri} (HTTP ${res.status}); register it there as a native client with redirect URI ${client.redirect_uris[0] ?? 'http://127.0.0.1/callback'}`);
}

/** The browser's answer checked, the code redeemed, the token response and ID token validated. */
export async function finishLogin(as: AuthorizationServer, client: RpClient, request: AuthorizationRequest, query: URLSearchParams, transport: Transport = {}) {
  let outcome: ReturnType<typeof readAuthorizationResponse>;
  try {
    outcome = readAuthorizationResponse(as, client.client_id, query, request.state);
  } catch (err) {
    throw err instanceof RpError && err.reason === 'state_mismatch' ? new LoginError(`${err.message}; run dev-op login again`) : err;
  }
  if ('error' in outcome) {
    if (outcome.error === 'access_denied') throw new LoginError(`login denied: ${outcome.description ?? 'the user said no'}`);
    throw new LoginError(`the server refused the login: ${outcome.description ? `${outcome.description} (${outcome.error})` : outcome.error}`);
  }
  const exchange = await exchangeCode(as, client, outcome.code, request, await fetchJwks(as, transport), transport);
  if (exchange.refused) throw new LoginError(`the token endpoint refused the code: ${exchange.refused}`);
  if (exchange.rejected) throw new LoginError(`the token response is not valid: ${exchange.rejected}`);
  if (exchange.idToken && !exchange.idToken.valid) throw new LoginError(`the ID token did not verify: ${exchange.idToken.reason}`);
  return { tokens: exchange.answer.body!, claims: exchange.idToken?.payload as Record<string, unknown> | undefined };
}
