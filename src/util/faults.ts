/**
 * Fault rules: failures a test asks one dev-op instance to inject, so a relying party's handling
 * of them can be tested. Plain per-instance state (no persistence: a rule lives as long as the
 * server). admin/faults.ts validates what users ask for; provider/faults.ts applies the rules.
 */

/** The endpoints a rule may target, by their route names (provider/routes.ts). */
export const FAULT_ENDPOINTS = [
  'discovery', 'jwks', 'authorization', 'token', 'userinfo', 'introspection', 'revocation', 'device_authorization', 'end_session',
] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

/** What a rule does when it fires; `latency` alone only delays, any other kind may carry latencyMs too. */
export const FAULT_KINDS = [
  'error', 'status', 'latency', 'jwks_without_key', 'id_token_wrong_aud', 'id_token_wrong_iss', 'id_token_expired',
  'id_token_bad_signature', 'userinfo_sub_mismatch', 'device_pending', 'deny_consent',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The endpoint a kind acts at, for the kinds that only make sense at one. */
export const FAULT_KIND_ENDPOINT: Partial<Record<FaultKind, FaultEndpoint>> = {
  jwks_without_key: 'jwks',
  id_token_wrong_aud: 'token',
  id_token_wrong_iss: 'token',
  id_token_expired: 'token',
  id_token_bad_signature: 'token',
  userinfo_sub_mismatch: 'userinfo',
  device_pending: 'token',
  deny_consent: 'authorization',
};

/** A validated rule as asked for. */
export interface FaultSpec {
  endpoint: FaultEndpoint;
  kind: FaultKind;
  /** Only requests of this client (by client_id); absent: every request to the endpoint. */
  clientId?: string;
  /** How many times it fires before it is gone; absent: until cleared. */
  times?: number;
  /** Wait this long before answering (any kind). */
  latencyMs?: number;
  /** kind 'error': the OAuth error code, its description, and the status (default: the code's usual one). */
  error?: string;
  description?: string;
  /** kind 'status': the HTTP status; kind 'error': overrides the code's usual one. */
  status?: number;
  /** kind 'device_pending': how many polls answer authorization_pending before access_denied. */
  pending?: number;
}

/** A rule as it stands: its id, and how often it has fired. */
export interface FaultRule extends FaultSpec {
  id: string;
  fired: number;
}

export interface FaultRules {
  add(spec: FaultSpec): FaultRule;
  list(): FaultRule[];
  /** Remove every rule; returns how many there were. */
  clear(): number;
  /** Whether any rule targets `endpoint` (cheap: every request asks). */
  targets(endpoint: string): boolean;
  /**
   * The first rule for `endpoint` (and this client, if the rule names one) that `accepts`, counted
   * as fired: a copy of it as it was when it fired. A rule whose times are used up is removed.
   */
  fire(endpoint: string, clientId: string | undefined, accepts?: (rule: FaultRule) => boolean): FaultRule | undefined;
}

/** The rules of one instance. */
export function createFaultRules(): FaultRules {
  let rules: FaultRule[] = [];
  let next = 1;
  const copy = (r: FaultRule): FaultRule => ({ ...r });
  return {
    add(spec) {
      const rule: FaultRule = { id: `f${next++}`, ...spec, fired: 0 };
      rules.push(rule);
      return copy(rule);
    },
    list: () => rules.map(copy),
    clear() {
      const count = rules.length;
      rules = [];
      return count;
    },
    targets: (endpoint) => rules.length > 0 && rules.some((r) => r.endpoint === endpoint),
    fire(endpoint, clientId, accepts = () => true) {
      const rule = rules.find((r) => r.endpoint === endpoint && (r.clientId === undefined || r.clientId === clientId) && accepts(r));
      if (!rule) return undefined;
      rule.fired++;
      if (rule.times !== undefined && rule.fired >= rule.times) rules = rules.filter((r) => r !== rule);
      return copy(rule);
    },
  };
}
