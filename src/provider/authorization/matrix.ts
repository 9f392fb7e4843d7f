import type { Middleware, Provider } from '../context.js';
import { authenticateCaller } from './authenticate-client.js';
import { checkClaimsParameter } from './claims.js';
import { checkClientGrant } from './client-grant.js';
import { checkDpopJkt } from '../dpop/authorization-jkt.js';
import { redirectErrorsEarly } from './early-redirect.js';
import { checkIdTokenRequest } from './id-token-request.js';
import { loadClient } from './load-client.js';
import { checkPkce } from './pkce.js';
import { checkPrompt } from './prompt.js';
import { resolvePushedRequest } from './pushed-request.js';
import { validateRedirectUri } from './redirect-uri.js';
import { requirePushedRequest } from './require-pushed-request.js';
import { resolveRequestObject } from './request-object.js';
import { checkResponseTypeAndMode } from './response-type.js';
import { checkScope } from './scope.js';
import type { AuthorizationEndpoint, AuthorizationStep } from './step.js';

const A = 'authorization';
const PAR = 'par';
const DA = 'device_authorization';
const CIBA = 'ciba';

/** A step and the endpoints that run it. */
type Row = readonly [step: AuthorizationStep, ...endpoints: AuthorizationEndpoint[]];

/**
 * Which check runs at which endpoint, in the order they run (as node-oidc-provider's
 * actions/authorization/index.js). A pushed request or a request object is resolved into the
 * parameters first, so every later check sees one set of parameters whatever carried them.
 * PAR runs the checks at push time (errors go back in its response, RFC 9126 2.3) and the
 * authorization endpoint runs them again on the pushed parameters. CIBA has no endpoint yet.
 * A new check is an exported AuthorizationStep in its own file and one row here.
 */
export const AUTHORIZATION_STEPS: readonly Row[] = [
  [loadClient, /*               */ A],
  [authenticateCaller, /*       */ PAR, DA, CIBA],
  [redirectErrorsEarly, /*      */ A],
  [resolvePushedRequest, /*     */ A],
  [requirePushedRequest, /*     */ A],
  [resolveRequestObject, /*     */ A, PAR, CIBA],
  [validateRedirectUri, /*      */ A, PAR],
  [checkResponseTypeAndMode, /* */ A, PAR],
  [checkClientGrant, /*         */ A, PAR, DA, CIBA],
  [checkScope, /*               */ A, PAR, DA, CIBA],
  [checkIdTokenRequest, /*      */ A, PAR],
  [checkPkce, /*                */ A, PAR],
  [checkPrompt, /*              */ A, PAR],
  [checkClaimsParameter, /*     */ A, PAR, CIBA],
  [checkDpopJkt, /*             */ A, PAR],
];

/** The checks `endpoint` runs, built for `op`. */
export function authorizationSteps(op: Provider, endpoint: AuthorizationEndpoint): Middleware[] {
  return AUTHORIZATION_STEPS.filter(([, ...endpoints]) => endpoints.includes(endpoint)).map(([step]) => step(op, endpoint));
}
