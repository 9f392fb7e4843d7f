import type { RequestListener } from 'node:http';
import type { OperationContext } from '../admin/operations.js';
import { constantDocuments } from '../provider/constant-documents.js';
import type { Provider } from '../provider/context.js';
import { lazy } from '../provider/lazy-action.js';
import type { Route } from '../provider/routes.js';

/**
 * What turns one composed instance (a provider and its admin operations) into a request handler:
 * shared by the default issuer (start-dev-op.ts) and each named one (named-issuers.ts).
 */

/** `POST <base>/_admin` (admin-endpoint.ts) for a data file's instance, with its token. */
export function adminRoute(provider: Provider, operations: OperationContext, adminToken: string): Route {
  return [['POST'], `${provider.config.basePath}/_admin`, 'admin', lazy(() => import('./admin-endpoint.js').then((m) => m.adminEndpoint(operations, adminToken)))];
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
        console.error(err);
        res.statusCode = 500;
        res.end();
      },
    );
  };
  return constantDocuments(provider, koa);
}
