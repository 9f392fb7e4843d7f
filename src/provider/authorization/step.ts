import type { Middleware, Provider } from '../context.js';

/**
 * The endpoints that take an authorization request: the authorization endpoint, pushed
 * authorization requests (RFC 9126), device authorization (RFC 8628) and, later, CIBA.
 */
export type AuthorizationEndpoint = 'authorization' | 'par' | 'device_authorization' | 'ciba';

/**
 * One named check of an authorization request, made once per provider and endpoint. It reads and
 * refines ctx.state.params / ctx.state.client, throws an OAuth error or calls next(). The
 * middleware it returns carries the step's name. matrix.ts says which endpoint runs which step.
 */
export type AuthorizationStep = (op: Provider, endpoint: AuthorizationEndpoint) => Middleware;
