import { discovery } from './actions/discovery.js';
import { jwks } from './actions/jwks.js';
import type { Middleware, Provider } from './context.js';
import { lazy } from './lazy-action.js';

export type Method = 'GET' | 'POST' | 'OPTIONS';
export type Route = readonly [methods: readonly Method[], path: string, name: string, action: Middleware[]];

/**
 * The whole HTTP surface on one screen. OPTIONS is listed where browsers preflight (CORS).
 * Discovery and JWKS are loaded with the server; every other action's module on its route's first
 * request (lazy), so that start loads neither jose nor the pages (see bench/: cold start).
 */
export function routes(op: Provider): Route[] {
  const r = op.config.routes;
  return [
    [['GET', 'OPTIONS'], '/.well-known/openid-configuration', 'discovery', discovery(op)],
    [['GET', 'OPTIONS'], '/.well-known/oauth-authorization-server', 'discovery', discovery(op)],
    [['GET', 'OPTIONS'], r.jwks, 'jwks', jwks(op)],
    [['GET', 'POST'], r.authorization, 'authorization', lazy(() => import('./actions/authorization.js').then((m) => m.authorization(op)))],
    [['GET'], '/interaction/:uid', 'interaction', lazy(() => import('./actions/interaction.js').then((m) => m.showInteraction(op)))],
    [['POST'], '/interaction/:uid/login', 'login', lazy(() => import('./actions/interaction.js').then((m) => m.submitLogin(op)))],
    [['POST'], '/interaction/:uid/consent', 'consent', lazy(() => import('./actions/interaction.js').then((m) => m.submitConsent(op)))],
    [['POST', 'OPTIONS'], r.token, 'token', lazy(() => import('./actions/token.js').then((m) => m.token(op)))],
    [['POST', 'OPTIONS'], r.introspection, 'introspection', lazy(() => import('./actions/introspection.js').then((m) => m.introspection(op)))],
    [['POST', 'OPTIONS'], r.revocation, 'revocation', lazy(() => import('./actions/revocation.js').then((m) => m.revocation(op)))],
    [['POST', 'OPTIONS'], r.device_authorization, 'device_authorization', lazy(() => import('./actions/device-authorization.js').then((m) => m.deviceAuthorization(op)))],
    [['GET'], r.device_verification, 'device', lazy(() => import('./actions/device-verification.js').then((m) => m.deviceEntry(op)))],
    [['POST'], r.device_verification, 'device_submit', lazy(() => import('./actions/device-verification.js').then((m) => m.deviceSubmit(op)))],
    [['GET', 'POST', 'OPTIONS'], r.userinfo, 'userinfo', lazy(() => import('./actions/userinfo.js').then((m) => m.userinfo(op)))],
    [['GET', 'POST'], r.end_session, 'end_session', lazy(() => import('./actions/end-session.js').then((m) => m.endSessionPrompt(op)))],
    [['POST'], `${r.end_session}/confirm`, 'end_session_confirm', lazy(() => import('./actions/end-session.js').then((m) => m.endSessionConfirm(op)))],
    [['POST'], '/_admin', 'admin', lazy(() => import('./actions/admin.js').then((m) => m.admin(op)))],
    [['GET'], '/assets/:name', 'assets', lazy(() => import('./actions/assets.js').then((m) => m.assets(op)))],
    [['GET'], '/', 'home', lazy(() => import('./actions/home.js').then((m) => m.home(op)))],
    [['POST'], '/playground/start', 'playground_start', lazy(() => import('./actions/playground.js').then((m) => m.playgroundStart(op)))],
    [['GET'], '/playground/callback', 'playground_callback', lazy(() => import('./actions/playground.js').then((m) => m.playgroundCallbackAction(op)))],
  ];
}
