import { RequestNotSupported } from '../../errors/oauth-errors.js';
import type { Params } from '../context.js';
import { verifyRequestObject } from '../checks/request-object.js';
import type { AuthorizationStep } from './step.js';

/**
 * RFC 9101 / OIDC Core 6.1: a `request` parameter is verified and its parameters replace the
 * plain ones of the same name (OIDC Core 6.3.3; RFC 9101 6.3: the object's values are used),
 * so every later step sees one set of parameters.
 */
export const resolveRequestObject: AuthorizationStep = (op) => async function resolveRequestObject(ctx, next) {
  const { params, client } = ctx.state;
  if (params.request === undefined) return next();
  const { requestObjects } = op.config.features;
  if (!requestObjects.enabled) throw new RequestNotSupported('request objects are switched off on this server');
  const fromObject = await verifyRequestObject(op, client!, params.request, requestObjects.allowUnsigned);
  const merged: Params = Object.assign(Object.create(null) as Params, params, fromObject);
  delete merged.request;
  ctx.state.params = merged;
  await next();
};
