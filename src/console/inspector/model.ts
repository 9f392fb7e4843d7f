import type { Exchange } from '../../util/events.js';

/** A mistake of the relying party, in plain words, with the spec section it breaks. */
export interface Lint {
  code: LintCode;
  message: string;
  /** e.g. "RFC 6749 10.12". */
  spec: string;
}

export type LintCode =
  | 'missing-state' | 'missing-nonce' | 'missing-pkce' | 'plain-pkce' | 'redirect-uri-near-miss' | 'code-reused'
  | 'refresh-token-unused' | 'userinfo-with-id-token' | 'client-secret-in-query' | 'expired-id-token-hint'
  | 'device-poll-too-fast';

/** Who sent a request: the user's browser (front channel) or the app's server (back channel). */
export type Lane = 'browser' | 'app';

/** One recorded request. `seq` counts every request the instance answered since start. */
export interface Step extends Exchange {
  seq: number;
  /** What was asked: 'authorization', 'token', 'userinfo', 'interaction', 'discovery', … */
  endpoint: string;
  lane: Lane;
  /** The flow it belongs to, if any (discovery, JWKS and pages belong to none). */
  flowId?: string;
  lints: Lint[];
}

/** One flow: the requests that carried the same interaction, code, tokens or device code. */
export interface Flow {
  id: string;
  clientId?: string;
  /** The grant or request that started it: 'authorization_code', 'device_code', 'client_credentials', … */
  kind: string;
  /** The client's `state`, when it sent one (display only: see flows.ts for why it is not the key). */
  state?: string;
  started: number;
  steps: Step[];
}

/** A lint with where it was found, as `dev-op logs` and op.inspector list them. */
export interface FoundLint extends Lint {
  seq: number;
  flowId?: string;
  clientId?: string;
  at: number;
}

/** What the inspector holds, for one client or all. */
export interface InspectorReport {
  /** Every recorded request, oldest first (after `since`, when given). */
  steps: Step[];
  flows: Flow[];
  lints: FoundLint[];
  /** Requests recorded since start that the memory bound has dropped. */
  dropped: number;
  /** The seq of the newest request recorded (for `--follow`: ask `since` it next time). */
  last: number;
}

export interface ReadFilter {
  /** Only this client's requests and flows. */
  client?: string;
  /** Only requests after this seq. */
  since?: number;
}
