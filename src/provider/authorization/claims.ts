import { parseClaimsRequest } from '../checks/claims-request.js';
import type { AuthorizationStep } from './step.js';

/** OIDC Core 5.5: the claims parameter, when sent, is a valid claims request. */
export const checkClaimsParameter: AuthorizationStep = () => async function checkClaimsParameter(ctx, next) {
  parseClaimsRequest(ctx.state.params.claims);
  await next();
};
