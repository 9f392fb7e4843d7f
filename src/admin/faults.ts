import { UsageError } from '../errors/app-errors.js';
import type { Store } from '../store/types.js';
import { FAULT_ENDPOINTS, FAULT_KIND_ENDPOINT, FAULT_KINDS, type FaultKind, type FaultRule, type FaultRules, type FaultSpec } from '../util/faults.js';
import * as check from './validate.js';

/** A fault rule as the CLI, the API and the admin endpoint ask for it (see README "Faults"). */
export interface FaultInput {
  /** A route name: token, userinfo, jwks, … Implied by the kinds that act at one endpoint. */
  endpoint?: string;
  /** Only this client's requests. */
  client?: string;
  /** Fire this many times, then go (default: until cleared). */
  times?: number;
  /** Delay before answering: milliseconds, or "500ms", "2s", "1m". */
  latency?: string | number;
  /** An OAuth error code to answer with (RFC 6749 5.2), e.g. invalid_grant. */
  error?: string;
  description?: string;
  /** An HTTP status: alone, a bare status; with `error`, that error's status. */
  status?: number;
  /** One of the kinds that are not an error, a status or latency (jwks_without_key, id_token_wrong_aud, …). */
  kind?: Exclude<FaultKind, 'error' | 'status' | 'latency'>;
  /** kind device_pending: polls answered authorization_pending before access_denied (default 3). */
  pending?: number;
}

/** RFC 6749 5.2 / RFC 6750 3.1: the status each error code usually comes with. */
const ERROR_STATUS: Record<string, number> = {
  invalid_client: 401, invalid_token: 401, insufficient_scope: 403, server_error: 500, temporarily_unavailable: 503,
};

/** RFC 6749 5.2: error and error_description are %x20-21 / %x23-5B / %x5D-7E; the code has no space. */
const ERROR_CODE = /^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/;
const DESCRIPTION = /^[\x20-\x21\x23-\x5B\x5D-\x7E]{0,500}$/;

/** At most this long, so a forgotten rule cannot hang a test run for ever. */
const MAX_LATENCY_MS = 5 * 60_000;
const LATENCY_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

function latencyMs(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_LATENCY_MS) return value;
  const match = typeof value === 'string' ? /^(\d+)(ms|s|m)$/.exec(value.trim()) : null;
  const ms = match ? Number(match[1]) * LATENCY_UNITS[match[2]!]! : -1;
  if (ms < 0 || ms > MAX_LATENCY_MS) throw new UsageError(`--latency ${String(value)} is not a delay of at most 5m; use e.g. 500ms, 2s or 1m`);
  return ms;
}

function wholeNumber(value: unknown, flag: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}`);
  return n;
}

/** What the input asks for: an explicit kind, else an error, a status, or latency alone. */
function kindOf(input: FaultInput): FaultKind {
  if (input.kind !== undefined) {
    const kind = check.oneOf(input.kind, FAULT_KINDS, '--kind')!;
    if (['error', 'status', 'latency'].includes(kind)) throw new UsageError(`give --${kind} itself rather than --kind ${kind}`);
    if (input.error !== undefined || input.status !== undefined) throw new UsageError(`--error and --status do not go with ${kind}`);
    return kind;
  }
  if (input.error !== undefined) return 'error';
  if (input.status !== undefined) return 'status';
  if (input.latency !== undefined) return 'latency';
  throw new UsageError('say what the fault does: --error CODE, --status N, --latency D, or one of the kinds (see dev-op fault add --help)');
}

/** Validate a rule; the client, if named, must be registered. */
export async function faultSpec(store: Store, raw: unknown): Promise<FaultSpec> {
  const input = check.inputObject(raw) as FaultInput;
  const kind = kindOf(input);
  const implied = FAULT_KIND_ENDPOINT[kind];
  const endpoint = check.oneOf(input.endpoint, FAULT_ENDPOINTS, '--endpoint') ?? implied;
  if (endpoint === undefined) throw new UsageError(`missing --endpoint (one of ${FAULT_ENDPOINTS.join(', ')})`);
  if (implied !== undefined && endpoint !== implied) throw new UsageError(`a ${kind} fault acts at the ${implied} endpoint, not ${endpoint}`);
  const spec: FaultSpec = { endpoint, kind };
  if (input.client !== undefined) {
    // Discovery and the JWKS are fetched by no client in particular.
    if (endpoint === 'discovery' || endpoint === 'jwks') throw new UsageError(`--client does not go with the ${endpoint} endpoint: no client is known there`);
    const clientId = check.identifier(input.client, '--client');
    if (!(await store.getClient(clientId))) throw new UsageError(`--client ${clientId}: no such client (dev-op client list)`);
    spec.clientId = clientId;
  }
  if (input.latency !== undefined) spec.latencyMs = latencyMs(input.latency);
  if (kind === 'error') {
    const error = check.requiredString(input.error, '--error');
    if (!ERROR_CODE.test(error)) throw new UsageError(`--error ${JSON.stringify(error)} is not an OAuth error code (RFC 6749 5.2), e.g. invalid_grant`);
    const description = check.optionalString(input.description, '--description') ?? `dev-op fault: ${error}`;
    if (!DESCRIPTION.test(description)) throw new UsageError('--description may hold printable ASCII without " or \\ (RFC 6749 5.2), at most 500 characters');
    Object.assign(spec, { error, description, status: wholeNumber(input.status, '--status', 400, 599) ?? ERROR_STATUS[error] ?? 400 });
  } else if (input.description !== undefined) {
    throw new UsageError('--description goes with --error');
  }
  if (kind === 'status') spec.status = wholeNumber(input.status, '--status', 400, 599);
  const times = wholeNumber(input.times, '--times', 1, 1_000_000);
  if (kind === 'device_pending') {
    if (times !== undefined) throw new UsageError('--device-pending N fires N+1 times by itself; leave out --times');
    spec.pending = wholeNumber(input.pending, '--device-pending', 0, 1000) ?? 3;
    spec.times = spec.pending + 1;
  } else if (input.pending !== undefined) {
    throw new UsageError('a pending count goes with --device-pending only');
  } else if (times !== undefined) {
    spec.times = times;
  }
  return spec;
}

/** The instance's rules, or the reason there are none to change. */
function rulesOf(faults: FaultRules | undefined): FaultRules {
  if (!faults) {
    throw new UsageError('fault rules apply to a running server, and none runs on this data file: start one with `dev-op start` (a --memory server takes them from code: op.faults.add)');
  }
  return faults;
}

export async function addFault(store: Store, faults: FaultRules | undefined, input: unknown): Promise<FaultRule> {
  const rules = rulesOf(faults);
  return rules.add(await faultSpec(store, input));
}

export function listFaults(faults: FaultRules | undefined): FaultRule[] {
  return rulesOf(faults).list();
}

export function clearFaults(faults: FaultRules | undefined): { cleared: number } {
  return { cleared: rulesOf(faults).clear() };
}
