import type { AuthorizationRequest } from '../../rp/authorization-request.js';
import type { RpClient } from '../../rp/client.js';
import { exchangeCode } from '../../rp/code-exchange.js';
import type { AuthorizationServer } from '../../rp/discover.js';
import type { HttpAnswer } from '../../rp/http-answer.js';
import { inspectToken, type Check, type Inspection } from '../../rp/inspect-token.js';
import { introspect } from '../../rp/introspect.js';
import { fetchJwks } from '../../rp/jwks.js';
import type { Transport } from '../../rp/transport.js';
import { fetchUserinfo } from '../../rp/userinfo.js';

/**
 * What the playground shows of a redeemed code. The relying party is src/rp (oauth4webapi),
 * exactly what `dev-op login` runs; this file only turns its results into what the page shows.
 */

export type { Check };
export type HttpResult = HttpAnswer;

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

export interface Redeemed {
  token: HttpResult;
  idToken?: InspectedToken;
  accessToken?: InspectedToken;
  userinfo?: HttpResult & { checks: Check[] };
}

const isJwt = (token: string) => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);

function jwtView(raw: string, inspection: Inspection): InspectedToken {
  return { raw, format: 'jwt', header: { ...inspection.header }, claims: { ...inspection.payload }, checks: inspection.checks };
}

/** An opaque access token has nothing to decode: ask the introspection endpoint when the client may. */
async function opaqueView(as: AuthorizationServer, client: RpClient, raw: string, t: Transport): Promise<InspectedToken> {
  const out: InspectedToken = { raw, format: 'opaque', checks: [] };
  if (!as.introspection_endpoint || client.token_endpoint_auth_method === 'none') {
    out.checks.push({ ok: true, text: 'Opaque token: only the OP can read it' });
    return out;
  }
  const result = await introspect(as, client, raw, t);
  if (result.active === undefined) {
    out.checks.push({ ok: false, text: `Introspection answered ${result.answer.status}: ${result.refused ?? ''}` });
    return out;
  }
  out.claims = result.answer.body;
  out.source = 'introspection';
  out.checks.push(result.active
    ? { ok: true, text: 'Opaque token: introspection says it is active' }
    : { ok: false, text: 'Opaque token: introspection says it is not active' });
  return out;
}

/** Userinfo, and whether its `sub` is the ID token's (OIDC Core 5.3.2). */
async function userinfoView(as: AuthorizationServer, client: RpClient, accessToken: string, sub: unknown, t: Transport) {
  const expected = typeof sub === 'string' ? sub : undefined;
  const { answer, refused } = await fetchUserinfo(as, client, accessToken, expected, t);
  const checks: Check[] = [];
  if (answer.status === 200 && answer.body) {
    if (expected !== undefined && answer.body.sub !== expected) checks.push({ ok: false, text: `sub ${JSON.stringify(answer.body.sub)} differs from the ID token's` });
    else if (refused) checks.push({ ok: false, text: `oauth4webapi refuses it: ${refused}` });
    else if (expected !== undefined) checks.push({ ok: true, text: 'sub matches the ID token' });
  }
  return { ...answer, checks };
}

/**
 * The relying party's half of the code flow: redeem the code, check the tokens against the JWKS,
 * call userinfo — every call over HTTP to the OP's own endpoints.
 */
export async function redeem(
  as: AuthorizationServer, client: RpClient, request: Omit<AuthorizationRequest, 'url'>, code: URLSearchParams, t: Transport,
): Promise<Redeemed> {
  const jwks = await fetchJwks(as, t);
  const exchange = await exchangeCode(as, client, code, request, jwks, t);
  const out: Redeemed = { token: exchange.answer };
  const body = exchange.answer.body;
  if (exchange.refused || !body) return out;
  if (exchange.idToken) out.idToken = jwtView(String(body.id_token), exchange.idToken);
  const accessToken = body.access_token;
  if (typeof accessToken === 'string') {
    const now = Math.floor((t.now?.() ?? Date.now()) / 1000);
    out.accessToken = isJwt(accessToken)
      ? jwtView(accessToken, await inspectToken(accessToken, jwks, { now, issuer: as.issuer, typ: 'at+jwt' }))
      : await opaqueView(as, client, accessToken, t);
    if (exchange.rejected) out.accessToken.checks.push({ ok: false, text: `oauth4webapi refuses the token response: ${exchange.rejected}` });
    out.userinfo = await userinfoView(as, client, accessToken, out.idToken?.claims?.sub, t);
  }
  return out;
}
