import { runOperation, type OperationContext } from '../admin/operations.js';
import { AppError, UsageError } from '../errors/app-errors.js';
import type { Provider } from '../provider/context.js';
import { LOGIN_TICKET_HEADER } from '../provider/login-tickets.js';
import { localRequest, type LocalTarget } from './local-request.js';
import { s256 } from '../provider/checks/pkce.js';
import * as check from '../admin/validate.js';
import { NOT_OVERRIDABLE_CLAIMS } from '../protocol/login-claims.js';

export interface LoginAsOptions {
  /** The client_id the app under test uses. */
  client: string;
  /** Default `openid`. */
  scope?: string;
  /** One of the client's redirect_uris; default its first. */
  redirectUri?: string;
  /**
   * Claims this login reports: `amr` (authentication methods, OIDC Core 2) and `acr` (requested
   * with acr_values, OIDC Core 3.1.2.1); any other is a user claim overridden for this login only
   * (e.g. `{ roles: ['admin'] }`): userinfo and every token of this login show it, as the user's own
   * claims would be shown. `sub` and the protocol's claims cannot be set.
   */
  claims?: { amr?: string[]; acr?: string; [claim: string]: unknown };
  /** Also redeem the code at the token endpoint (with the client's secret and the PKCE verifier). */
  exchange?: boolean;
}

export interface LoginAsTokens {
  access_token: string;
  token_type: string;
  expires_in?: number;
  id_token?: string;
  refresh_token?: string;
  scope?: string;
}

export interface LoginAsResult {
  code: string;
  state: string;
  nonce: string;
  /** The PKCE verifier the code is bound to (RFC 7636): the app under test redeems the code with it. */
  codeVerifier: string;
  /** Where the OP sent the browser: what the app under test receives at its redirect_uri. */
  redirectUrl: string;
  /** With `exchange: true`. */
  tokens?: LoginAsTokens;
}

export interface LoginAsTarget {
  provider: Provider;
  operations: OperationContext;
  /** Where this process reaches the server. */
  connect: LocalTarget;
}

function checkClaims(claims: LoginAsOptions['claims']): { amr: string[]; acr?: string; overrides?: Record<string, unknown> } {
  if (claims !== undefined && (typeof claims !== 'object' || claims === null || Array.isArray(claims))) {
    throw new UsageError('loginAs claims must be an object, e.g. { roles: ["admin"], amr: ["pwd", "mfa"] }');
  }
  const { amr = ['pwd'], acr, ...rest } = claims ?? {};
  const fixed = Object.keys(rest).find((name) => NOT_OVERRIDABLE_CLAIMS.includes(name));
  if (fixed) throw new UsageError(`loginAs claims.${fixed} cannot be set per login: it is the protocol's, not a user claim`);
  const overrides = Object.keys(rest).length ? check.claims(rest) : undefined;
  if (!Array.isArray(amr) || amr.some((v) => typeof v !== 'string' || v === '')) throw new UsageError('loginAs claims.amr must be a list of method names, e.g. ["pwd", "mfa"]');
  if (acr !== undefined && (typeof acr !== 'string' || acr === '' || /\s/.test(acr))) throw new UsageError('loginAs claims.acr must be one acr value, e.g. "mfa"');
  return { amr, ...(acr !== undefined ? { acr } : {}), ...(overrides ? { overrides } : {}) };
}

/**
 * An authorization code flow for `username` with no page: a one-time login ticket (login-tickets.ts)
 * rides along a real request to this instance's authorization endpoint, which logs the user in,
 * skips consent and redirects to the client with a code, as a browser would have seen it.
 */
export async function loginAs(target: LoginAsTarget, username: string, options: LoginAsOptions): Promise<LoginAsResult> {
  const { provider, operations } = target;
  const claims = checkClaims(options.claims);
  // The same checks (and messages) as `dev-op client show` / `user show`.
  const client = await runOperation(operations, 'client.show', { id: options.client });
  await runOperation(operations, 'user.show', { username });
  const redirectUri = options.redirectUri ?? client.redirect_uris[0];
  if (redirectUri === undefined || !client.redirect_uris.includes(redirectUri)) {
    throw new UsageError(`loginAs: ${redirectUri ?? 'a redirect URI'} is not registered for client ${client.client_id} (registered: ${client.redirect_uris.join(', ') || 'none'})`);
  }
  const state = provider.random.id(16);
  const nonce = provider.random.id(16);
  const codeVerifier = provider.random.id(32);
  const query = new URLSearchParams({
    client_id: client.client_id, redirect_uri: redirectUri, response_type: 'code', scope: options.scope ?? 'openid',
    state, nonce, code_challenge: s256(codeVerifier), code_challenge_method: 'S256',
    ...(claims.acr ? { acr_values: claims.acr } : {}),
  });
  const { config } = provider;
  const ticket = provider.loginTickets.issue({ username, amr: claims.amr, ...(claims.overrides ? { claims: claims.overrides } : {}) });
  const answer = await localRequest(target.connect, 'GET', `${config.basePath}${config.routes.authorization}?${query}`, { [LOGIN_TICKET_HEADER]: ticket });
  if (answer.status !== 302 || answer.location === undefined) {
    throw new AppError('ERR_LOGIN_AS', `loginAs: the authorization endpoint answered ${answer.status} instead of redirecting to the client`);
  }
  const callback = new URL(answer.location);
  const code = callback.searchParams.get('code');
  if (code === null) {
    const error = callback.searchParams.get('error') ?? 'no code';
    throw new AppError('ERR_LOGIN_AS', `loginAs: ${error}: ${callback.searchParams.get('error_description') ?? 'the authorization endpoint returned no code'}`);
  }
  const result: LoginAsResult = { code, state, nonce, codeVerifier, redirectUrl: answer.location };
  if (options.exchange) result.tokens = await redeem(target, client, code, redirectUri, codeVerifier);
  return result;
}

/** RFC 6749 4.1.3 with the client's own authentication (2.3.1: Basic credentials are form-encoded). */
async function redeem(
  target: LoginAsTarget,
  client: { client_id: string; client_secret?: string; token_endpoint_auth_method: string },
  code: string,
  redirectUri: string,
  codeVerifier: string,
): Promise<LoginAsTokens> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: codeVerifier });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const method = client.token_endpoint_auth_method;
  const secret = client.client_secret ?? '';
  if (method === 'client_secret_basic') {
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${enc(client.client_id)}:${enc(secret)}`).toString('base64')}`;
  } else if (method === 'client_secret_post') {
    form.set('client_id', client.client_id);
    form.set('client_secret', secret);
  } else if (method === 'none') {
    form.set('client_id', client.client_id);
  } else {
    throw new UsageError(`loginAs exchange: client ${client.client_id} authenticates with ${method}; redeem the code yourself (result.code, result.codeVerifier)`);
  }
  const { config } = target.provider;
  const answer = await localRequest(target.connect, 'POST', `${config.basePath}${config.routes.token}`, headers, form.toString());
  let body: LoginAsTokens & { error?: string; error_description?: string };
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {
    throw new AppError('ERR_LOGIN_AS', `loginAs exchange: the token endpoint answered ${answer.status} without JSON`);
  }
  if (answer.status !== 200) throw new AppError('ERR_LOGIN_AS', `loginAs exchange: ${body.error}: ${body.error_description}`);
  return body;
}
