import { InvalidRequest } from '../../errors/oauth-errors.js';
import { checkResponseType, responseModeFor } from '../checks/response-type.js';
import type { AuthorizationStep } from './step.js';

/** OAuth 2.0 Multiple Response Types: a response type the client registered, in a response mode that suits it. */
export const checkResponseTypeAndMode: AuthorizationStep = () => async function checkResponseTypeAndMode(ctx, next) {
  const { params, client } = ctx.state;
  params.response_type = checkResponseType(client!, params.response_type);
  const { error } = responseModeFor(params.response_type, params.response_mode);
  if (error) throw new InvalidRequest(error);
  await next();
};
