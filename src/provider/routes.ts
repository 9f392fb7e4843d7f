import { discovery } from './actions/discovery.js';
import { jwks } from './actions/jwks.js';
import type { Middleware, Provider } from './context.js';
import { FAULT_ENDPOINTS } from '../util/faults.js';
import { lazy } from './lazy-action.js';
import { wellKnownPaths } from './well-known.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
export type Route = readonly [methods: readonly Method[], path: string, name: string, action: Middleware[]];

/**
 * The whole HTTP surface on one screen, under the issuer's path (`base`, '' for a bare origin). OPTIONS is listed where browsers preflight (CORS).
 * Discovery and JWKS are loaded with the server; every other action's module on its route's first
 * request (lazy), so that start loads neither jose nor the pages (see bench/: cold start).
 * `mounts` are routes the app adds beside the OP's own; the OP knows nothing of what they do.
 */
export function routes(op: Provider, mounts: readonly Route[] = []): Route[] {
  const r = op.config.routes;
  const base = op.config.basePath;
  const table: Route[] = [
    [['GET', 'OPTIONS'], wellKnownPaths(base).openid, 'discovery', discovery(op)],
    [['GET', 'OPTIONS'], wellKnownPaths(base).oauth, 'discovery', discovery(op)],
    [['GET', 'OPTIONS'], base + r.jwks, 'jwks', jwks(op)],
    [['GET', 'POST'], base + r.authorization, 'authorization', lazy(() => import('./actions/authorization.js').then((m) => m.authorization(op)))],
    [['GET'], `${base}/interaction/:uid`, 'interaction', lazy(() => import('./actions/interaction.js').then((m) => m.showInteraction(op)))],
    [['POST'], `${base}/interaction/:uid/login`, 'login', lazy(() => import('./actions/interaction.js').then((m) => m.submitLogin(op)))],
    [['POST'], `${base}/interaction/:uid/consent`, 'consent', lazy(() => import('./actions/interaction.js').then((m) => m.submitConsent(op)))],
    [['POST', 'OPTIONS'], base + r.token, 'token', lazy(() => import('./actions/token.js').then((m) => m.token(op)))],
    [['POST', 'OPTIONS'], base + r.introspection, 'introspection', lazy(() => import('./actions/introspection.js').then((m) => m.introspection(op)))],
    [['POST', 'OPTIONS'], base + r.revocation, 'revocation', lazy(() => import('./actions/revocation.js').then((m) => m.revocation(op)))],
    [['POST', 'OPTIONS'], base + r.device_authorization, 'device_authorization', lazy(() => import('./actions/device-authorization.js').then((m) => m.deviceAuthorization(op)))],
    ...(op.config.features.par.enabled
      ? [[['POST', 'OPTIONS'], base + r.pushed_authorization_request, 'pushed_authorization_request', lazy(() => import('./actions/par.js').then((m) => m.pushedAuthorizationRequest(op)))] as const]
      : []),
    [['GET'], base + r.device_verification, 'device', lazy(() => import('./actions/device-verification.js').then((m) => m.deviceEntry(op)))],
    [['POST'], base + r.device_verification, 'device_submit', lazy(() => import('./actions/device-verification.js').then((m) => m.deviceSubmit(op)))],
    [['GET', 'POST', 'OPTIONS'], base + r.userinfo, 'userinfo', lazy(() => import('./actions/userinfo.js').then((m) => m.userinfo(op)))],
    [['GET', 'POST'], base + r.end_session, 'end_session', lazy(() => import('./actions/end-session.js').then((m) => m.endSessionPrompt(op)))],
    [['POST'], `${base}${r.end_session}/confirm`, 'end_session_confirm', lazy(() => import('./actions/end-session.js').then((m) => m.endSessionConfirm(op)))],
    [['GET'], `${base}/healthz`, 'healthz', lazy(() => import('./actions/healthz.js').then((m) => m.healthz(op)))],
    [['GET'], `${base}/assets/:name`, 'assets', lazy(() => import('./actions/assets.js').then((m) => m.assets(op)))],
    [['GET'], `${base}/`, 'home', lazy(() => import('./actions/home.js').then((m) => m.home(op)))],
    [['POST'], `${base}/playground/start`, 'playground_start', lazy(() => import('./actions/playground.js').then((m) => m.playgroundStart(op)))],
    [['GET'], `${base}/playground/callback`, 'playground_callback', lazy(() => import('./actions/playground.js').then((m) => m.playgroundCallbackAction(op)))],
    // Mounted by the app that runs this provider (e.g. its admin endpoint, POST <base>/_admin).
    ...mounts,
  ];
  // The issuer URL itself (no trailing slash) is the home page too.
  if (base) table.push([['GET'], base, 'home', lazy(() => import('./actions/home.js').then((m) => m.home(op)))]);
  // Fault rules come first on every endpoint a rule can name; faults.ts is loaded by the first rule.
  const faultable = new Set<string>(FAULT_ENDPOINTS);
  const faults = (name: string): Middleware => async (ctx, next) => {
    if (!op.faults.targets(name)) return next();
    return (await import('./faults.js')).applyFaults(op, name)(ctx, next);
  };
  return table.map(([methods, path, name, action]) => (faultable.has(name) ? [methods, path, name, [faults(name), ...action]] : [methods, path, name, action]));
}

