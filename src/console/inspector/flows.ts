import type { Shown } from '../../util/redact.js';
import { fingerprint } from '../../util/redact.js';
import { interactionUid } from './endpoints.js';
import type { Flow, Step } from './model.js';

/**
 * Which flow a request belongs to. The key is the OP's own artifacts, not the client's `state`:
 * state is optional (its absence is a lint), chosen by the client and not unique, and it never
 * reaches the token endpoint. What the OP hands out is unique and is carried by the next step:
 * the interaction uid (authorization → login → consent), the code (→ token request), the tokens
 * (→ refresh, userinfo, introspection, revocation, logout's id_token_hint), the device and user
 * codes (device authorization → verification page → polls), a pushed request's request_uri. A request carrying one of them joins
 * its flow; what its answer hands out is added to that flow.
 */

/** Parameters that carry an artifact a previous answer handed out (by fingerprint). */
const CARRIED = ['code', 'refresh_token', 'token', 'access_token', 'id_token_hint', 'device_code'];
/** Answer members that hand one out. */
const HANDED_OUT = ['code', 'access_token', 'refresh_token', 'id_token', 'device_code'];
/** Requests that start a flow of their own when they carry nothing known. */
const STARTERS = new Set(['authorization', 'par', 'token', 'device_authorization', 'userinfo', 'introspection', 'revocation', 'end_session', 'registration']);

/** What the lints remember about one flow. */
export interface FlowMemory {
  /** Codes already presented at the token endpoint (RFC 6749 4.1.2: once only). */
  codesUsed: Set<string>;
  /** Refresh tokens handed out, with the step that did, and those presented since. */
  refreshIssued: Map<string, Step>;
  refreshUsed: Set<string>;
  /** ID tokens handed out (userinfo must get an access token instead). */
  idTokens: Set<string>;
  /** Device codes: the last poll (instance ms, none before the first) and the interval the client was told (seconds). */
  polls: Map<string, { at?: number; interval: number }>;
}

export interface FlowEntry {
  flow: Flow;
  memory: FlowMemory;
  /** The artifact keys that lead here, removed with the flow. */
  keys: string[];
}

const userCodeKey = (code: string) => `u:${code.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;

/** Query and form together: where a request's parameters are (a GET's query, a POST's form). */
export function paramsOf(step: Step): Readonly<Record<string, Shown>> {
  // Most requests have one of the two: no copy then (this runs several times per request).
  if (!step.form) return step.query ?? NONE;
  return step.query ? { ...step.query, ...step.form } : step.form;
}

const NONE: Readonly<Record<string, Shown>> = Object.freeze({});

/** The artifact keys a request carries. */
export function carried(step: Step): string[] {
  const keys: string[] = [];
  if (['interaction', 'login', 'consent'].includes(step.endpoint)) {
    const uid = interactionUid(step.path);
    if (uid) keys.push(`i:${uid}`);
  }
  const params = paramsOf(step);
  for (const name of CARRIED) {
    const fp = fingerprint(params[name]);
    if (fp) keys.push(`f:${fp}`);
  }
  const bearer = step.auth?.token?.fp;
  if (bearer) keys.push(`f:${bearer}`);
  const userCode = params.user_code;
  if (step.endpoint === 'device_verification' && typeof userCode === 'string') keys.push(userCodeKey(userCode));
  // RFC 9126 4: the authorization request that uses a pushed request names it by request_uri.
  if (typeof params.request_uri === 'string') keys.push(`r:${params.request_uri}`);
  return keys;
}

/** The artifact keys a request's answer hands out. */
export function handedOut(step: Step): string[] {
  const keys: string[] = [];
  const uid = step.location ? interactionUid(step.location) : undefined;
  if (uid) keys.push(`i:${uid}`);
  for (const source of [step.delivered, step.response]) {
    if (!source) continue;
    for (const name of HANDED_OUT) {
      const fp = fingerprint(source[name]);
      if (fp) keys.push(`f:${fp}`);
    }
  }
  const userCode = step.response?.user_code;
  if (typeof userCode === 'string') keys.push(userCodeKey(userCode));
  const requestUri = step.response?.request_uri;
  if (typeof requestUri === 'string') keys.push(`r:${requestUri}`);
  return keys;
}

/** Whether a request that carries nothing known starts a flow. */
export function startsFlow(step: Step): boolean {
  return STARTERS.has(step.endpoint);
}

/** What kind of flow a first request starts. */
export function flowKind(step: Step): string {
  const params = paramsOf(step);
  const value = (name: string) => (typeof params[name] === 'string' ? params[name] : undefined);
  if (step.endpoint === 'authorization' || step.endpoint === 'par') return `authorization (${value('response_type') ?? '?'})`;
  if (step.endpoint === 'token') return value('grant_type') ?? 'token';
  if (step.endpoint === 'device_authorization') return 'device_code';
  if (step.endpoint === 'end_session') return 'logout';
  return step.endpoint;
}

export function newMemory(): FlowMemory {
  return { codesUsed: new Set(), refreshIssued: new Map(), refreshUsed: new Set(), idTokens: new Set(), polls: new Map() };
}
