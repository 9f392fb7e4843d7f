import type { Clock } from '../../util/clock.js';
import type { EventStream, Exchange } from '../../util/events.js';
import { classifier, type RouteMap } from './endpoints.js';
import { carried, flowKind, handedOut, newMemory, paramsOf, startsFlow, type FlowEntry } from './flows.js';
import { lintStep, noteHandedOut, redirectNearMiss, unusedRefreshLint } from './lints.js';
import type { Flow, FoundLint, InspectorReport, ReadFilter, Step } from './model.js';

/**
 * About how many bytes a step takes as JSON, for the memory budget: counted, not serialised (a
 * JSON.stringify per request cost more than the rest of the recording), and a JWT by its encoded
 * size, without decoding it (redact.ts).
 */
function sizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null) return 8;
  // A JWT as redact.ts keeps it: counted by its encoded size (reading `jwt` would decode it).
  if ('encodedLength' in value) return 32 + (value as { encodedLength: number }).encodedLength;
  let n = 2;
  for (const key in value) n += key.length + 3 + sizeOf((value as Record<string, unknown>)[key]);
  return n;
}

/** What the recorder asks the app about a client (it has no store of its own). */
export interface ClientFacts {
  redirectUris: readonly string[];
  /** The refresh token lifetime for this client, in seconds. */
  refreshTtl: number;
}

export interface RecorderOptions {
  routes: RouteMap;
  clock: Clock;
  lookupClient(clientId: string): Promise<ClientFacts | undefined>;
  /** Paths never recorded (the admin endpoint, the inspector's own pages). */
  ignore?: (path: string) => boolean;
  /** The memory bound: at most this many requests, and about this many bytes of them. */
  maxSteps?: number;
  maxBytes?: number;
}

export interface Recorder {
  /** Everything recorded (for one client, or after a seq), with the lints found so far. */
  read(filter?: ReadFilter): Promise<InspectorReport>;
  /** Forget everything recorded. */
  clear(): void;
  /** Stop listening to the instance's events. */
  close(): void;
}

/**
 * The flow inspector's memory for one instance: it listens to the instance's 'exchange' events
 * (the provider knows nothing of it), keeps the last requests within a count and byte budget,
 * groups them into flows (flows.ts) and lints them (lints.ts). Recording is a few map lookups and
 * one JSON.stringify for the size; nothing is copied deeply (the event is already redacted).
 */
export function createRecorder(events: EventStream, options: RecorderOptions): Recorder {
  const maxSteps = options.maxSteps ?? 1000;
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  const { classify } = classifier(options.routes);
  const steps: { step: Step; bytes: number }[] = [];
  const flows = new Map<string, FlowEntry>();
  const byKey = new Map<string, FlowEntry>();
  /** Lints that need the app's answer about a client, still running. */
  const pending = new Set<Promise<void>>();
  let seq = 0;
  let flowSeq = 0;
  let bytes = 0;
  let dropped = 0;
  let head = 0;

  function evict(): void {
    while (steps.length - head > maxSteps || (bytes > maxBytes && steps.length - head > 1)) {
      const { step, bytes: size } = steps[head]!;
      steps[head++] = undefined as never;
      bytes -= size;
      dropped++;
      const entry = step.flowId === undefined ? undefined : flows.get(step.flowId);
      if (!entry) continue;
      entry.flow.steps.shift();
      if (entry.flow.steps.length === 0) {
        flows.delete(entry.flow.id);
        for (const key of entry.keys) if (byKey.get(key) === entry) byKey.delete(key);
      }
    }
    // Compact now and then rather than shifting the array on every request.
    if (head > 1024 && head * 2 > steps.length) {
      steps.splice(0, head);
      head = 0;
    }
  }

  function flowFor(step: Step): FlowEntry | undefined {
    for (const key of carried(step)) {
      const found = byKey.get(key);
      if (found) return found;
    }
    if (!startsFlow(step)) return undefined;
    const params = paramsOf(step);
    const clientId = step.clientId ?? (typeof params.client_id === 'string' ? params.client_id : step.auth?.clientId);
    const flow: Flow = {
      id: `f${++flowSeq}`, kind: flowKind(step), started: step.at, steps: [],
      ...(clientId ? { clientId } : {}), ...(typeof params.state === 'string' ? { state: params.state } : {}),
    };
    const entry: FlowEntry = { flow, memory: newMemory(), keys: [] };
    flows.set(flow.id, entry);
    return entry;
  }

  function checkRedirect(step: Step, clientId: string, redirectUri: string): void {
    const task = options.lookupClient(clientId).then((facts) => {
      const lint = facts && redirectNearMiss(redirectUri, facts.redirectUris);
      if (lint) step.lints.push(lint);
    }, () => undefined);
    pending.add(task);
    void task.finally(() => pending.delete(task));
  }

  function record(exchange: Exchange): void {
    if (options.ignore?.(exchange.path)) return;
    const { endpoint, lane } = classify(exchange.path);
    // One fixed shape for every step (a spread of events of many shapes was the recording's largest cost).
    const e = exchange;
    const step: Step = {
      seq: ++seq, endpoint, lane, flowId: undefined, lints: [], at: e.at, method: e.method, path: e.path, status: e.status, ms: e.ms,
      clientId: e.clientId, error: e.error, query: e.query, form: e.form, auth: e.auth, location: e.location, delivered: e.delivered, response: e.response,
    };
    const entry = flowFor(step);
    if (entry) {
      step.flowId = entry.flow.id;
      if (!step.clientId && entry.flow.clientId) step.clientId = entry.flow.clientId;
      entry.flow.clientId ??= step.clientId;
      entry.flow.steps.push(step);
      for (const key of handedOut(step)) {
        if (byKey.get(key) !== entry) {
          byKey.set(key, entry);
          entry.keys.push(key);
        }
      }
      noteHandedOut(step, entry.memory);
    }
    step.lints.push(...lintStep(step, entry?.memory));
    const params = paramsOf(step);
    const clientId = typeof params.client_id === 'string' ? params.client_id : step.clientId;
    // Only a refused redirect_uri can be a near miss (an accepted one matched, or is a native app's loopback port, RFC 8252 7.3).
    if ((endpoint === 'authorization' || endpoint === 'par') && step.status >= 400 && clientId && typeof params.redirect_uri === 'string') {
      checkRedirect(step, clientId, params.redirect_uri);
    }
    const size = sizeOf(step);
    steps.push({ step, bytes: size });
    bytes += size;
    evict();
  }

  /** Refresh tokens past their lifetime that were never used: found when read, against the clock. */
  async function expiredRefreshLints(entries: FlowEntry[]): Promise<void> {
    const now = options.clock.now();
    // One lookup per client per read, however many tokens it holds.
    const known = new Map<string, Promise<ClientFacts | undefined>>();
    const factsOf = (clientId: string) => {
      let facts = known.get(clientId);
      if (!facts) known.set(clientId, (facts = options.lookupClient(clientId).catch(() => undefined)));
      return facts;
    };
    for (const { memory } of entries) {
      for (const [fp, issuedBy] of memory.refreshIssued) {
        if (memory.refreshUsed.has(fp) || !issuedBy.clientId) continue;
        const facts = await factsOf(issuedBy.clientId);
        if (!facts || issuedBy.at + facts.refreshTtl * 1000 > now) continue;
        if (!issuedBy.lints.some((l) => l.code === 'refresh-token-unused')) issuedBy.lints.push(unusedRefreshLint(facts.refreshTtl));
        memory.refreshIssued.delete(fp);
      }
    }
  }

  const stop = events.on('exchange', record);

  return {
    async read(filter = {}) {
      await Promise.all([...pending]);
      const forClient = (clientId: string | undefined) => filter.client === undefined || clientId === filter.client;
      const chosen = [...flows.values()].filter((e) => forClient(e.flow.clientId));
      await expiredRefreshLints(chosen);
      const since = filter.since ?? 0;
      const recorded: Step[] = [];
      for (let i = head; i < steps.length; i++) {
        const { step } = steps[i]!;
        if (step.seq > since && forClient(step.clientId)) recorded.push(step);
      }
      const lints: FoundLint[] = recorded.flatMap((s) => s.lints.map((l) => ({
        ...l, seq: s.seq, at: s.at, ...(s.flowId ? { flowId: s.flowId } : {}), ...(s.clientId ? { clientId: s.clientId } : {}),
      })));
      return {
        steps: recorded,
        flows: chosen.map((e) => e.flow).filter((f) => f.steps.some((s) => s.seq > since)),
        lints, dropped, last: seq,
      };
    },
    clear() {
      steps.length = 0;
      head = 0;
      bytes = 0;
      flows.clear();
      byKey.clear();
    },
    close: stop,
  };
}
