import { setTimeout as sleep } from 'node:timers/promises';
import { AccessDenied, AuthorizationPending, OAuthError } from '../errors/oauth-errors.js';
import { DEVICE_CODE_GRANT } from '../protocol/capabilities.js';
import { epochSeconds } from '../util/clock.js';
import type { FaultRule } from '../util/faults.js';
import { checkRedirectUri } from './checks/redirect-uri.js';
import { responseModeFor } from './checks/response-type.js';
import type { Ctx, Middleware, Provider } from './context.js';
import { corsHeaders } from './cross-cutting.js';
import { parseParams } from './middleware/body.js';
import type { ClientRedirect } from './send-to-client.js';
import { findAccessToken } from './token-lookup.js';

/**
 * The fault rules of the instance (util/faults.ts), applied to every route the rules can name
 * (routes.ts puts this step first on each): a rule fires for its endpoint and, if it names one,
 * its client. Some kinds answer instead of the endpoint (an error, a status, device polls, a
 * denied consent); the others let the endpoint answer and then spoil its answer (a JWKS without
 * the signing key, a flawed ID token, a userinfo sub of someone else). Every firing is an event
 * ('fault') and shows in the request log.
 */
export function applyFaults(op: Provider, endpoint: string): Middleware {
  return async function faults(ctx, next) {
    // A preflight only asks whether the real request may be sent: the fault is for that one.
    if (ctx.method === 'OPTIONS') return next();
    // Parameters are read here once (parseParams then keeps them): a rule may name the client.
    if (endpoint !== 'discovery' && endpoint !== 'jwks') await parseParams(ctx, async () => {});
    const clientId = await presentedClientId(op, ctx);
    const redirect = endpoint === 'authorization' ? await authorizationRedirect(op, ctx) : undefined;
    const before = op.faults.fire(endpoint, clientId, (r) => actsBefore(r, ctx, redirect));
    if (before) {
      await fired(op, ctx, before, clientId);
      // A browser app must be able to read the fault, as it reads the endpoint's own answers (cors.ts).
      if (endpoint !== 'authorization' && endpoint !== 'end_session') {
        for (const [name, value] of corsHeaders(ctx.get('origin'))) {
          if (name === 'Vary') ctx.vary(value);
          else ctx.set(name, value);
        }
      }
      if (answerBefore(ctx, before, redirect)) return;
    }
    await next();
    const after = op.faults.fire(endpoint, clientId, (r) => spoils(r, ctx));
    if (after) {
      await fired(op, ctx, after, clientId);
      await spoil(op, ctx, after);
    }
  };
}

const SPOILING = new Set<FaultRule['kind']>([
  'jwks_without_key', 'id_token_wrong_aud', 'id_token_wrong_iss', 'id_token_expired', 'id_token_bad_signature', 'userinfo_sub_mismatch',
]);

function actsBefore(rule: FaultRule, ctx: Ctx, redirect: ClientRedirect | undefined): boolean {
  if (SPOILING.has(rule.kind)) return false;
  if (rule.kind === 'device_pending') return ctx.state.params.grant_type === DEVICE_CODE_GRANT;
  // A denied consent goes back to the app, so only once client and redirect_uri are known good.
  if (rule.kind === 'deny_consent') return redirect !== undefined;
  return true;
}

/** Whether the endpoint's answer holds what the rule spoils. */
function spoils(rule: FaultRule, ctx: Ctx): boolean {
  if (!SPOILING.has(rule.kind) || ctx.status !== 200) return false;
  if (rule.kind === 'jwks_without_key') return typeof ctx.body === 'string';
  const body = ctx.body as Record<string, unknown> | undefined;
  if (rule.kind === 'userinfo_sub_mismatch') return typeof body?.sub === 'string';
  return typeof body?.id_token === 'string' && body.id_token.split('.').length === 3;
}

/** Report the firing, then wait out the rule's latency. */
async function fired(op: Provider, ctx: Ctx, rule: FaultRule, clientId: string | undefined): Promise<void> {
  ctx.state.fault = `fault ${rule.id} ${rule.kind}`;
  // The endpoint may not get as far as naming the client: the log line still does.
  if (clientId !== undefined) ctx.state.clientId ??= clientId;
  op.events.emit('fault', {
    id: rule.id, kind: rule.kind, endpoint: rule.endpoint, path: ctx.path, fired: rule.fired, ...(clientId !== undefined ? { clientId } : {}),
  });
  if (rule.latencyMs) await sleep(rule.latencyMs);
}

/** Answer instead of the endpoint; false lets the endpoint answer (latency alone). */
function answerBefore(ctx: Ctx, rule: FaultRule, redirect: ClientRedirect | undefined): boolean {
  switch (rule.kind) {
    case 'status':
      ctx.status = rule.status!;
      ctx.type = 'text/plain';
      ctx.body = `dev-op fault ${rule.id}: HTTP ${rule.status}\n`;
      return true;
    case 'error':
      // At the authorization endpoint an error goes back to a known-good redirect_uri, as a real one would.
      if (redirect) ctx.state.redirect = redirect;
      throw new OAuthError(rule.status!, rule.error!, rule.description!, true);
    case 'device_pending':
      // RFC 8628 3.5: the user has not acted yet, N times; then the user said no.
      if (rule.fired <= rule.pending!) throw new AuthorizationPending(`dev-op fault ${rule.id}: poll ${rule.fired} of ${rule.pending} stays pending`);
      throw new AccessDenied(`dev-op fault ${rule.id}: the user denied the device authorization`);
    case 'deny_consent':
      // RFC 6749 4.1.2.1: the resource owner denied the request.
      ctx.state.redirect = redirect;
      throw new AccessDenied(`dev-op fault ${rule.id}: the user denied consent`);
    default:
      return false;
  }
}

/** Spoil the endpoint's successful answer as the rule says. */
async function spoil(op: Provider, ctx: Ctx, rule: FaultRule): Promise<void> {
  if (rule.kind === 'jwks_without_key') {
    // The key that signs now is missing: as if the app's cached JWKS predates a rotation.
    const active = (await op.keys()).active.kid;
    const set = JSON.parse(ctx.body as string) as { keys: { kid?: string }[] };
    ctx.body = JSON.stringify({ keys: set.keys.filter((k) => k.kid !== active) });
    return;
  }
  const body = ctx.body as Record<string, unknown>;
  if (rule.kind === 'userinfo_sub_mismatch') {
    // OIDC Core 5.3.2: the RP must check that this sub is the ID token's; here it is not.
    ctx.body = { ...body, sub: `not-${body.sub as string}` };
    return;
  }
  ctx.body = { ...body, id_token: await flawedIdToken(op, body.id_token as string, rule.kind) };
}

const decodeSegment = (segment: string): Record<string, unknown> => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;

/** The ID token with the flaw OIDC Core 3.1.3.7 tells the RP to reject it for. */
async function flawedIdToken(op: Provider, token: string, kind: FaultRule['kind']): Promise<string> {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  if (kind === 'id_token_bad_signature') {
    const bytes = Buffer.from(signature, 'base64url');
    bytes[0]! ^= 0xff;
    return `${header}.${payload}.${bytes.toString('base64url')}`;
  }
  const claims = decodeSegment(payload);
  const now = epochSeconds(op.clock);
  if (kind === 'id_token_wrong_aud') claims.aud = 'dev-op-fault-another-client';
  if (kind === 'id_token_wrong_iss') claims.iss = `${op.config.issuer}/dev-op-fault-another-issuer`;
  if (kind === 'id_token_expired') {
    // Expired well beyond any clock tolerance an RP allows (openid-client: 30 s by default).
    const lifetime = Number(claims.exp) - Number(claims.iat);
    const exp = now - 600;
    Object.assign(claims, { exp, iat: exp - lifetime });
  }
  const ring = await op.keys();
  const key = ring.find(decodeSegment(header).kid as string | undefined);
  // An HS256 ID token (client secret) cannot be re-signed here: its signature breaks instead, which the RP rejects too.
  if (!key) return flawedIdToken(op, token, 'id_token_bad_signature');
  return op.signer.signJwt(ring, claims, undefined, key);
}

/** The client a request presents itself as, before it is authenticated: enough to match a rule. */
async function presentedClientId(op: Provider, ctx: Ctx): Promise<string | undefined> {
  const { params } = ctx.state;
  const header = ctx.get('authorization');
  if (/^basic /i.test(header)) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const user = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
    try {
      return decodeURIComponent(user.replace(/\+/g, ' '));
    } catch {
      return user;
    }
  }
  if (params?.client_id !== undefined) return params.client_id;
  if (params?.client_assertion !== undefined) {
    try {
      const sub = decodeSegment(params.client_assertion.split('.')[1] ?? '').sub;
      return typeof sub === 'string' ? sub : undefined;
    } catch {
      return undefined;
    }
  }
  // Userinfo: the client the access token was issued to.
  const bearer = /^bearer +([^ ]+)$/i.exec(header)?.[1] ?? params?.access_token;
  if (bearer === undefined) return undefined;
  return findAccessToken(op, bearer).then(({ record }) => record.clientId, () => undefined);
}

/** Where an authorization error may be sent: the client's registered redirect_uri, if this request names one. */
async function authorizationRedirect(op: Provider, ctx: Ctx): Promise<ClientRedirect | undefined> {
  const { params } = ctx.state;
  const client = params.client_id === undefined ? undefined : await op.store.getClient(params.client_id);
  if (!client) return undefined;
  try {
    const uri = checkRedirectUri(client, params.redirect_uri);
    return { uri, state: params.state, mode: responseModeFor(params.response_type, params.response_mode).mode };
  } catch {
    return undefined;
  }
}
