import { admin } from './actions/admin.js';
import { assets } from './actions/assets.js';
import { authorization } from './actions/authorization.js';
import { deviceAuthorization } from './actions/device-authorization.js';
import { deviceEntry, deviceSubmit } from './actions/device-verification.js';
import { discovery } from './actions/discovery.js';
import { endSessionConfirm, endSessionPrompt } from './actions/end-session.js';
import { home } from './actions/home.js';
import { showInteraction, submitConsent, submitLogin } from './actions/interaction.js';
import { introspection } from './actions/introspection.js';
import { jwks } from './actions/jwks.js';
import { playgroundCallbackAction, playgroundStart } from './actions/playground.js';
import { revocation } from './actions/revocation.js';
import { token } from './actions/token.js';
import { userinfo } from './actions/userinfo.js';
import type { Middleware, Provider } from './context.js';

export type Method = 'GET' | 'POST' | 'OPTIONS';
export type Route = readonly [methods: readonly Method[], path: string, name: string, action: Middleware[]];

/** The whole HTTP surface on one screen. OPTIONS is listed where browsers preflight (CORS). */
export function routes(op: Provider): Route[] {
  const r = op.config.routes;
  return [
    [['GET', 'OPTIONS'], '/.well-known/openid-configuration', 'discovery', discovery(op)],
    [['GET', 'OPTIONS'], '/.well-known/oauth-authorization-server', 'discovery', discovery(op)],
    [['GET', 'OPTIONS'], r.jwks, 'jwks', jwks(op)],
    [['GET', 'POST'], r.authorization, 'authorization', authorization(op)],
    [['GET'], '/interaction/:uid', 'interaction', showInteraction(op)],
    [['POST'], '/interaction/:uid/login', 'login', submitLogin(op)],
    [['POST'], '/interaction/:uid/consent', 'consent', submitConsent(op)],
    [['POST', 'OPTIONS'], r.token, 'token', token(op)],
    [['POST', 'OPTIONS'], r.introspection, 'introspection', introspection(op)],
    [['POST', 'OPTIONS'], r.revocation, 'revocation', revocation(op)],
    [['POST', 'OPTIONS'], r.device_authorization, 'device_authorization', deviceAuthorization(op)],
    [['GET'], r.device_verification, 'device', deviceEntry(op)],
    [['POST'], r.device_verification, 'device_submit', deviceSubmit(op)],
    [['GET', 'POST', 'OPTIONS'], r.userinfo, 'userinfo', userinfo(op)],
    [['GET', 'POST'], r.end_session, 'end_session', endSessionPrompt(op)],
    [['POST'], `${r.end_session}/confirm`, 'end_session_confirm', endSessionConfirm(op)],
    [['POST'], '/_admin', 'admin', admin(op)],
    [['GET'], '/assets/:name', 'assets', assets(op)],
    [['GET'], '/', 'home', home(op)],
    [['POST'], '/playground/start', 'playground_start', playgroundStart(op)],
    [['GET'], '/playground/callback', 'playground_callback', playgroundCallbackAction(op)],
  ];
}
