import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { KeyRing } from '../keys/keyring.js';
import { discoveryDocument } from './actions/discovery.js';
import type { Provider } from './context.js';
import { hostPolicy } from './middleware/host-check.js';
import { logColour, writeRequestLine } from './middleware/request-log.js';
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
 * Only a plain GET with an accepted Host header is answered here; anything else (a preflight,
 * HEAD, a missing or refused Host, --trust-proxy's forwarded headers) goes to `next`, the koa app.
 */
export function constantDocuments(op: Provider, next: RequestListener): RequestListener {
  const { config } = op;
  const hosts = hostPolicy(config.issuer, config.listenHost);
  const colour = logColour();
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

  function send(req: IncomingMessage, res: ServerResponse, path: string, type: string, body: Buffer, started: number): void {
    const origin = req.headers.origin;
    if (origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate');
    }
    res.setHeader('Content-Type', type);
    res.setHeader('Content-Length', body.length);
    res.end(body);
    if (config.log !== 'none') writeRequestLine(config.log, colour, { method: 'GET', path, status: 200, started });
  }

  return function constantDocument(req, res) {
    const url = req.url ?? '';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const document = documents.get(path);
    const host = req.headers.host;
    if (!document || req.method !== 'GET' || config.trustProxy || !host || /[[,]/.test(host) || !hosts.accepts(host.split(':', 1)[0]!)) {
      next(req, res);
      return;
    }
    const started = performance.now();
    const type = path === jwksPath ? JWKS_TYPE : JSON_TYPE;
    const body = document();
    if (Buffer.isBuffer(body)) send(req, res, path, type, body, started);
    else body.then((b) => send(req, res, path, type, b, started), () => next(req, res));
  };
}
