import { UnauthorizedClient } from '../../errors/oauth-errors.js';
import { DEVICE_CODE_GRANT } from '../../protocol/capabilities.js';
import type { AuthorizationStep } from './step.js';

/** OIDC CIBA Core 4: the grant a backchannel authentication request leads to. */
const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';

/**
 * The client may use the grant this request leads to (RFC 6749 5.2 unauthorized_client): the
 * authorization_code grant for response types with `code`, the device_code grant for a device
 * authorization, the CIBA grant for a backchannel authentication.
 */
export const checkClientGrant: AuthorizationStep = (_op, endpoint) => async function checkClientGrant(ctx, next) {
  const { client, params } = ctx.state;
  const grants: readonly string[] = client!.grant_types;
  if (endpoint === 'device_authorization' || endpoint === 'ciba') {
    const grant = endpoint === 'ciba' ? CIBA_GRANT : DEVICE_CODE_GRANT;
    if (!grants.includes(grant)) throw new UnauthorizedClient(`client ${client!.client_id} is not allowed the ${endpoint === 'ciba' ? 'ciba' : 'device_code'} grant`);
  } else if (params.response_type!.split(' ').includes('code') && !grants.includes('authorization_code')) {
    throw new UnauthorizedClient(`client ${client!.client_id} may not use the authorization_code grant`);
  }
  await next();
};
