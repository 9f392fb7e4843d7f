import type { Redacted, Shown } from './redact.js';

/**
 * What one dev-op instance reports as it works, for tests, fault rules and a flow inspector to
 * follow. Payloads name things (paths, client ids, subjects, token ids) and never carry a token,
 * code or secret.
 */
export interface DevOpEvents {
  /** A request answered (by koa or the constant-documents fast path). */
  request: { method: string; path: string; status: number; ms: number; clientId?: string };
  /** The token endpoint issued tokens. `jti` is the access token's id when it is a JWT. */
  token: { grantType: string; clientId: string; sub?: string; jti?: string };
  /** A browser session started for a user (login form or --auto-login). */
  login: { username: string; clientId?: string };
  /** A request ended in an error response. */
  error: { code: string; status: number; path: string };
  /** A fault rule fired (util/faults.ts): which, of what kind, where, and how many times so far. */
  fault: { id: string; kind: string; endpoint: string; path: string; fired: number; clientId?: string };
  /** A back-channel logout token was POSTed to a client (OIDC Back-Channel Logout 1.0), or failed to be. */
  backchannelLogout: { clientId: string; sid: string; uri: string; delivered: boolean; status?: number; reason?: string };
  /**
   * A request answered, in detail, for the flow inspector: every parameter through redact.ts (no
   * secret, code or token whole; JWTs decoded). Built only while someone listens.
   */
  exchange: Exchange;
}

/** One request and its answer, as the flow inspector records it. */
export interface Exchange {
  /** The instance clock (ms) when it was answered. */
  at: number;
  method: string;
  path: string;
  status: number;
  ms: number;
  clientId?: string;
  /** The URL's query parameters (on a POST too: a client secret there is a mistake worth seeing). */
  query?: Record<string, Shown>;
  /** A POST's form parameters. */
  form?: Record<string, Shown>;
  /** The Authorization header: its scheme, and the client id (Basic) or the token (Bearer, DPoP). */
  auth?: { scheme: string; clientId?: string; token?: Redacted };
  /** A redirect's target without its query or fragment (those are in `delivered`). */
  location?: string;
  /** Authorization response parameters sent back to the client, in any response mode. */
  delivered?: Record<string, Shown>;
  /** A JSON response's members. */
  response?: Record<string, Shown>;
  /** The OAuth error code of an error response. */
  error?: string;
}

export type EventType = keyof DevOpEvents;
export type Listener<T extends EventType> = (event: DevOpEvents[T]) => void;

export interface EventStream {
  /** Listen to `type`; returns the function that stops listening. */
  on<T extends EventType>(type: T, listener: Listener<T>): () => void;
  off<T extends EventType>(type: T, listener: Listener<T>): void;
  emit<T extends EventType>(type: T, event: DevOpEvents[T]): void;
  /** Whether anyone listens to `type`: emitters skip building a payload nobody reads. */
  listening(type: EventType): boolean;
}

/**
 * An event stream for one instance. Listeners run synchronously, in the order added; one that
 * throws is reported on stderr and does not stop the others, nor the request that emitted.
 */
export function createEvents(): EventStream {
  const listeners: { [T in EventType]: Set<Listener<T>> } = {
    request: new Set(), token: new Set(), login: new Set(), error: new Set(), fault: new Set(), backchannelLogout: new Set(), exchange: new Set(),
  };
  const stream: EventStream = {
    on(type, listener) {
      listeners[type].add(listener);
      return () => stream.off(type, listener);
    },
    off(type, listener) {
      listeners[type].delete(listener);
    },
    emit(type, event) {
      for (const listener of [...listeners[type]]) {
        try {
          listener(event);
        } catch (err) {
          console.error(`a dev-op ${type} event listener failed:`, err);
        }
      }
    },
    listening: (type) => listeners[type].size > 0,
  };
  return stream;
}
