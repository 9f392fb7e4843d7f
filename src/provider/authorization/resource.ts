import { checkResource } from '../checks/resource.js';
import type { AuthorizationStep } from './step.js';

/** RFC 8707 2: resource indicators are absolute URIs without a fragment. */
export const checkResourceParameter: AuthorizationStep = () => async function checkResourceParameter(ctx, next) {
  checkResource(ctx.state.params.resource);
  await next();
};
