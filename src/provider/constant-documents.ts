import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { KeyRing } from '../keys/keyring.js';
import { discoveryDocument } from './actions/discovery.js';
import type { Provider } from './context.js';
import { corsHeaders, hostnameOf, hostPolicy, refuseHost, requestDone, type EarlyAnswer } from './cross-cutting.js';
import { wellKnownPaths } from './well-known.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const JWKS_TYPE = 'application/jwk-set+json';

/**
 * Discovery and JWKS answered straight from node:http, before koa: both are constant between key
 * changes, so each is serialised once to a Buffer and written with the headers the koa routes
 * would send (test/provider/constant-documents.test.ts compares the two byte for byte). They are
 * what a client asks first and most often, and this is how a server that has only just started
 * answers them before koa and the other actions are even loaded.
 *
 * Only a plain GET is answered here; anything else (a preflight, HEAD, --trust-proxy's forwarded
 * headers) goes to `next`, the koa app. The cross-cutting concerns (Host check, CORS, log, events)
 * come from cross-cutting.ts, the functions koa's middleware calls too.
 */
export function constantDocuments(op: Provider, next: RequestListener): RequestListener {
  const { config } = op;
  const hosts = hostPolicy(config.issuer, config.listenHost);
  let discovery: Buffer | undefined;
  const jwksBodies = new WeakMap<KeyRing, Buffer>();
  // op.keys() hands back the same promise until the keys change: its body is then known at once.
  let jwksFor: { keys: Promise<KeyRing>; body: Buffer } | undefined;
  const wellKnown = wellKnownPaths(config.basePath);
  const jwksPath = config.basePath + config.routes.jwks;
  const documents = new Map<string, () => Buffer | Promise<Buffer>>([
    [wellKnown.openid, () => (discovery ??= Buffer.from(JSON.stringify(discoveryDocument(op))))],
    [wellKnown.oauth, () => (discovery ??= Buffer.from(JSON.stringify(discoveryDocument(op))))],
    [jwksPath, () => {
      const keys = op.keys();
      if (jwksFor?.keys === keys) return jwksFor.body;
      return keys.then((ring) => {
        let body = jwksBodies.get(ring);
        if (!body) jwksBodies.set(ring, (body = Buffer.from(ring.jwksJson)));
        jwksFor = { keys, body };
        return body;
      });
    }],
  ]);

  function send(req: IncomingMessage, res: ServerResponse, path: string, type: string, body: Buffer, started: number, refused?: EarlyAnswer): void {
    const status = refused?.status ?? 200;
    // A refused Host gets no CORS headers, as from koa (whose route-level cors never runs then).
    if (!refused) for (const [name, value] of corsHeaders(req.headers.origin)) res.setHeader(name, value);
    res.statusCode = status;
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', body.length);
    res.end(body);
    requestDone(op, { method: 'GET', path, status, started, ...(refused ? { error: refused.body.error } : {}) });
  }

  return function constantDocument(req, res) {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const document = documents.get(path);
    // A fault rule on discovery or the JWKS is applied by koa's fault step (faults.ts).
    if (!document || req.method !== 'GET' || config.trustProxy || op.faults.targets(path === jwksPath ? 'jwks' : 'discovery')) {
      next(req, res);
      return;
    }
    const started = performance.now();
    const host = req.headers.host ?? '';
    const refused = refuseHost(hosts, host, hostnameOf(host), req.httpVersion === '1.0');
    if (refused) {
      send(req, res, path, JSON_TYPE, Buffer.from(JSON.stringify(refused.body)), started, refused);
      return;
    }
    const type = path === jwksPath ? JWKS_TYPE : JSON_TYPE;
    const body = document();
    if (Buffer.isBuffer(body)) send(req, res, path, type, body, started);
    else body.then((b) => send(req, res, path, type, b, started), () => next(req, res));
  };
}
