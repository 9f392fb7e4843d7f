import { ConfigError } from '../errors/app-errors.js';
import type { ProviderConfig } from '../config/provider-config.js';
import type { InspectorReport, ReadFilter } from '../console/inspector/model.js';
import { createRecorder, type Recorder } from '../console/inspector/recorder.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import type { EventStream } from '../util/events.js';

export type { Flow, FoundLint, InspectorReport, Lint, LintCode, ReadFilter, Step } from '../console/inspector/model.js';

/** The flow inspector of one instance, as the handle (op.inspector) offers it. */
export interface DevOpInspector {
  /** Recorded requests, flows and lints (for one client with `{ client }`, newer than `since` with `{ since }`). */
  read(filter?: ReadFilter): Promise<InspectorReport>;
  /** Just the lints found so far. */
  lints(filter?: ReadFilter): Promise<InspectorReport['lints']>;
  /** Forget everything recorded. */
  clear(): void;
}

/**
 * The recorder for an instance whose inspector is on: it listens to the instance's events and
 * asks the store (through this function, since the console never touches the store) about
 * clients for the lints that need their registration.
 */
export function startRecorder(events: EventStream, store: Store, config: ProviderConfig, clock: Clock, ignored: readonly string[]): Recorder {
  return createRecorder(events, {
    routes: { basePath: config.basePath, routes: config.routes },
    clock,
    ignore: (path) => ignored.includes(path),
    lookupClient: async (clientId) => {
      const client = await store.getClient(clientId);
      return client && { redirectUris: client.redirect_uris, refreshTtl: client.ttl?.RefreshToken ?? config.ttl.RefreshToken };
    },
  });
}

/** A report as plain JSON data (tokens decoded), a copy that does not change under its holder. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The handle's view: copies, so that a test holding a report does not see it change under it. */
export function inspectorHandle(recorder: Recorder): DevOpInspector {
  return {
    read: async (filter) => copy(await recorder.read(filter)),
    lints: async (filter) => copy((await recorder.read(filter)).lints),
    clear: () => recorder.clear(),
  };
}

/** The admin endpoint's read of the inspector (`dev-op logs`): the filter from the wire, checked. */
export async function readForAdmin(recorder: Recorder | undefined, input: unknown): Promise<InspectorReport> {
  if (!recorder) throw new ConfigError('the flow inspector is off on this server (it was started with the inspector disabled)');
  const given = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const filter: ReadFilter = {};
  if (typeof given.client === 'string') filter.client = given.client;
  if (typeof given.since === 'number' && Number.isFinite(given.since)) filter.since = given.since;
  return recorder.read(filter);
}
