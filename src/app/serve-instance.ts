import type { RequestListener, ServerResponse } from 'node:http';
import { StoreUnavailableError } from '../errors/app-errors.js';
import type { OperationContext } from '../admin/operations.js';
import { constantDocuments } from '../provider/constant-documents.js';
import type { Provider } from '../provider/context.js';
import { lazy } from '../provider/lazy-action.js';
import type { InstanceReads } from './admin-endpoint.js';
import type { Route } from '../provider/routes.js';

/**
 * What turns one composed instance (a provider and its admin operations) into a request handler:
 * shared by the default issuer (start-dev-op.ts) and each named one (named-issuers.ts).
 */

/** `POST <base>/_admin` (admin-endpoint.ts) for a data file's instance, with its token and the instance reads it answers (the inspector's). */
export function adminRoute(provider: Provider, operations: OperationContext, adminToken: string, reads?: InstanceReads): Route {
  return [['POST'], `${provider.config.basePath}/_admin`, 'admin', lazy(() => import('./admin-endpoint.js').then((m) => m.adminEndpoint(operations, adminToken, reads)))];
}

/** `/reg` (RFC 7591) and `/reg/<client_id>` (RFC 7592), loaded on their first request. */
export function registrationRoutes(provider: Provider, operations: OperationContext): Route[] {
  const path = provider.config.basePath + provider.config.routes.registration;
  const endpoint = () => import('./registration-endpoint.js');
  return [
    [['POST', 'OPTIONS'], path, 'registration', lazy(() => endpoint().then((m) => m.registrationEndpoint(provider, operations)))],
    [['GET', 'PUT', 'DELETE', 'OPTIONS'], `${path}/:client_id`, 'registration_client', lazy(() => endpoint().then((m) => m.clientConfigurationEndpoint(provider, operations)))],
  ];
}

/**
 * The instance's handler: koa and the actions are loaded by the first request that needs them;
 * discovery and JWKS, what a client asks first, are answered without (constant-documents.ts).
 */
export function instanceHandler(provider: Provider, mounts: Route[]): RequestListener {
  let app: Promise<RequestListener> | undefined;
  const koa: RequestListener = (req, res) => {
    (app ??= import('../provider/create.js').then(async ({ createApp }) => (await createApp(provider, mounts)).callback())).then(
      (callback) => callback(req, res),
      (err: unknown) => {
        // Tried again by the next request: a store that was briefly unreachable must not stop the server for good.
        app = undefined;
        if (err instanceof StoreUnavailableError) return unavailable(res, err);
        console.error(err);
        res.statusCode = 500;
        res.end();
      },
    );
  };
  return constantDocuments(provider, koa);
}

/** RFC 6749 temporarily_unavailable, as the OP's error handler answers it once koa is loaded. */
function unavailable(res: ServerResponse, err: StoreUnavailableError): void {
  res.statusCode = 503;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Retry-After', '5');
  res.end(JSON.stringify({ error: 'temporarily_unavailable', error_description: err.message }));
}
