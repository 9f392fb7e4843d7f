import type { Redacted, Shown } from '../../util/redact.js';
import { fingerprint } from '../../util/redact.js';
import { paramsOf, type FlowMemory } from './flows.js';
import type { Lint, Step } from './model.js';

/**
 * The relying party's mistakes that one request (with what its flow remembers) shows, in plain
 * words with the section of the spec it goes against. Lints never change what the OP answers.
 */

const text = (v: Shown | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const jwtOf = (v: Shown | undefined): Redacted['jwt'] => (typeof v === 'object' ? v.jwt : undefined);

/** A request object's claims are authorization parameters too (RFC 9101 4, OIDC Core 6.1). */
function authorizationParams(step: Step): Record<string, Shown> {
  const params = paramsOf(step);
  const claims = jwtOf(params.request)?.claims;
  if (!claims) return params;
  const fromObject: Record<string, Shown> = {};
  for (const [k, v] of Object.entries(claims)) if (typeof v === 'string') fromObject[k] = v;
  return { ...params, ...fromObject };
}

function authorizationLints(step: Step): Lint[] {
  const params = authorizationParams(step);
  // A pushed request (RFC 9126) was linted when it was pushed.
  if (step.endpoint === 'authorization' && params.request_uri !== undefined) return [];
  const lints: Lint[] = [];
  const responseType = text(params.response_type) ?? '';
  const scopes = (text(params.scope) ?? '').split(' ');
  const pkce = params.code_challenge !== undefined;
  if (params.state === undefined) {
    lints.push({ code: 'missing-state', spec: 'RFC 6749 10.12, RFC 9700 4.7.1',
      message: 'The authorization request has no state: nothing ties the answer to the browser that asked, so a forged answer (login CSRF) would be accepted. Send a random state and check it on the callback.' });
  }
  const needsNonce = responseType.split(' ').includes('id_token') || (scopes.includes('openid') && !pkce && responseType.includes('code'));
  if (needsNonce && params.nonce === undefined) {
    lints.push({ code: 'missing-nonce', spec: responseType.includes('id_token') ? 'OpenID Connect Core 3.2.2.1' : 'OpenID Connect Core 3.1.2.1, RFC 9700 4.5.3',
      message: responseType.includes('id_token')
        ? 'The authorization request asks for an ID token from the authorization endpoint but sends no nonce, which is REQUIRED there: a replayed ID token would be accepted.'
        : 'The OpenID request has neither PKCE nor a nonce: nothing stops an attacker from injecting a stolen code. Send a nonce and check it in the ID token (or use PKCE).' });
  }
  if (responseType.split(' ').includes('code') && !pkce) {
    lints.push({ code: 'missing-pkce', spec: 'RFC 9700 2.1.1, RFC 7636',
      message: 'The authorization request asks for a code without PKCE (code_challenge): a stolen or injected code could be redeemed. Send code_challenge with code_challenge_method=S256.' });
  }
  if (text(params.code_challenge_method) === 'plain') {
    lints.push({ code: 'plain-pkce', spec: 'RFC 7636 4.2, RFC 9700 2.1.1',
      message: 'The authorization request uses PKCE with the plain method, which sends the verifier itself: anyone who sees the request can redeem the code. Use S256.' });
  }
  lints.push(...expiredHint(step, params));
  return lints;
}

function expiredHint(step: Step, params: Record<string, Shown>): Lint[] {
  const exp = jwtOf(params.id_token_hint)?.claims.exp;
  if (typeof exp !== 'number' || exp * 1000 > step.at) return [];
  const ago = Math.round((step.at - exp * 1000) / 1000);
  return [{ code: 'expired-id-token-hint', spec: step.endpoint === 'end_session' ? 'OpenID Connect RP-Initiated Logout 1.0 2' : 'OpenID Connect Core 3.1.2.1',
    message: `The id_token_hint expired ${ago} s before this request. Many OPs refuse an expired hint; send the latest ID token, or none.` }];
}

function tokenLints(step: Step, memory: FlowMemory | undefined): Lint[] {
  const params = paramsOf(step);
  const grant = text(params.grant_type);
  const lints: Lint[] = [];
  const code = fingerprint(params.code);
  if (grant === 'authorization_code' && code && memory) {
    if (memory.codesUsed.has(code)) {
      lints.push({ code: 'code-reused', spec: 'RFC 6749 4.1.2, 10.5',
        message: 'The same authorization code was sent to the token endpoint twice. A code is good for one token request only; an OP revokes the tokens of a code used twice. Do not retry a token request with the same code.' });
    }
    memory.codesUsed.add(code);
  }
  const device = fingerprint(params.device_code);
  if (grant === 'urn:ietf:params:oauth:grant-type:device_code' && device && memory) {
    const last = memory.polls.get(device);
    const interval = last?.interval ?? 5;
    if (last?.at !== undefined && step.at - last.at < interval * 1000) {
      lints.push({ code: 'device-poll-too-fast', spec: 'RFC 8628 3.5',
        message: `The device polled the token endpoint ${((step.at - last.at) / 1000).toFixed(1)} s after its last poll, faster than the interval of ${interval} s it was given. Wait interval seconds between polls, and 5 s more after each slow_down.` });
    }
    memory.polls.set(device, { at: step.at, interval: step.error === 'slow_down' ? interval + 5 : interval });
  }
  const refresh = fingerprint(params.refresh_token);
  if (refresh && memory) memory.refreshUsed.add(refresh);
  return lints;
}

/** An ID token where an access token belongs: the OP handed it out as id_token, or it has no RFC 9068 access token shape. */
function isIdToken(token: Redacted | undefined, memory: FlowMemory | undefined): boolean {
  if (!token) return false;
  if (memory?.idTokens.has(token.fp)) return true;
  const jwt = token.jwt;
  return jwt !== undefined && jwt.header.typ !== 'at+jwt' && jwt.claims.client_id === undefined && jwt.claims.scope === undefined && jwt.claims.nonce !== undefined;
}

function userinfoLints(step: Step, memory: FlowMemory | undefined): Lint[] {
  const params = paramsOf(step);
  const presented = step.auth?.token ?? (typeof params.access_token === 'object' ? params.access_token : undefined);
  if (!isIdToken(presented, memory)) return [];
  return [{ code: 'userinfo-with-id-token', spec: 'OpenID Connect Core 5.3.1, RFC 6750 2',
    message: 'Userinfo was called with the ID token as the bearer token. The ID token is for the app to read; userinfo takes the access token from the same token response.' }];
}

/** The lints one request shows; `memory` is its flow's (updated here: codes used, polls, refresh tokens). */
export function lintStep(step: Step, memory: FlowMemory | undefined): Lint[] {
  const lints: Lint[] = [];
  if (step.query?.client_secret !== undefined) {
    lints.push({ code: 'client-secret-in-query', spec: 'RFC 6749 2.3.1',
      message: 'The client secret was sent in the URL query string, where proxies, logs and browser history keep it. Send it in the Authorization header (client_secret_basic) or the POST body (client_secret_post), and rotate it.' });
  }
  if (step.endpoint === 'authorization' || step.endpoint === 'par') lints.push(...authorizationLints(step));
  else if (step.endpoint === 'end_session') lints.push(...expiredHint(step, paramsOf(step)));
  else if (step.endpoint === 'token') lints.push(...tokenLints(step, memory));
  else if (step.endpoint === 'userinfo') lints.push(...userinfoLints(step, memory));
  else if (step.endpoint === 'revocation') {
    const token = fingerprint(paramsOf(step).token);
    if (token && memory) memory.refreshUsed.add(token);
  }
  return lints;
}

/** Remember what an answer handed out that later lints ask about. */
export function noteHandedOut(step: Step, memory: FlowMemory): void {
  // An implicit or hybrid response delivers its ID token to the redirect_uri (OIDC Core 3.2.2.5).
  const idToken = fingerprint(step.response?.id_token) ?? fingerprint(step.delivered?.id_token);
  if (idToken) memory.idTokens.add(idToken);
  const answer = step.response;
  if (!answer) return;
  const refresh = fingerprint(answer.refresh_token);
  if (refresh) memory.refreshIssued.set(refresh, step);
  const device = fingerprint(answer.device_code);
  const interval = Number(text(answer.interval) ?? 5);
  if (device) memory.polls.set(device, { interval: Number.isFinite(interval) ? interval : 5 });
}

/**
 * A redirect_uri that is not registered but would be with a slash, port or letter case changed:
 * almost always a configuration typo (RFC 9700 4.1.3 requires exact matching, so it fails).
 */
export function redirectNearMiss(requested: string, registered: readonly string[]): Lint | undefined {
  if (registered.includes(requested)) return undefined;
  let asked: URL;
  try {
    asked = new URL(requested);
  } catch {
    return undefined;
  }
  for (const candidate of registered) {
    let reg: URL;
    try {
      reg = new URL(candidate);
    } catch {
      continue;
    }
    const differences: string[] = [];
    const path = (u: URL) => u.pathname.replace(/\/$/, '') || '/';
    if (asked.pathname !== reg.pathname && path(asked) === path(reg)) differences.push('a trailing slash');
    if (asked.port !== reg.port) differences.push('the port');
    const same = (a: URL, b: URL, fold: boolean) => {
      const f = (s: string) => (fold ? s.toLowerCase() : s);
      return f(a.protocol) === f(b.protocol) && f(a.hostname) === f(b.hostname) && f(path(a)) === f(path(b)) && f(a.search) === f(b.search);
    };
    if (!same(asked, reg, false) && same(asked, reg, true)) differences.push('letter case');
    if (differences.length > 0 && same(asked, reg, true)) {
      return { code: 'redirect-uri-near-miss', spec: 'RFC 9700 4.1.3, RFC 6749 3.1.2.3',
        message: `The redirect_uri ${requested} differs from the registered ${candidate} only by ${differences.join(' and ')}. Redirect URIs are compared as exact strings: fix the app's setting or the registration.` };
    }
  }
  return undefined;
}

/** An issued refresh token past its expiry, never presented (RFC 6749 6) nor revoked. */
export function unusedRefreshLint(ttlSeconds: number): Lint {
  return { code: 'refresh-token-unused', spec: 'RFC 6749 1.5, 6; OpenID Connect Core 11',
    message: `A refresh token issued here expired (after ${ttlSeconds} s) without ever being used. Either the app does not need offline access (drop offline_access / the refresh_token grant) or it lost the token instead of refreshing with it.` };
}
