import type { GrantType } from '../../store/types.js';
import { GRANT_TYPES } from '../../protocol/capabilities.js';
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { deviceCodeGrant } from './device-code.js';
import type { GrantHandler } from './grant-handler.js';
import { passwordGrant } from './password.js';
import { refreshTokenGrant } from './refresh-token.js';
import { jwtBearerGrant } from './jwt-bearer.js';
import { tokenExchangeGrant } from './token-exchange.js';

/** Every grant the token endpoint serves; discovery advertises exactly these (capabilities.ts names them). */
export const GRANTS: ReadonlyMap<GrantType, GrantHandler> = new Map(
  [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant, passwordGrant, deviceCodeGrant, tokenExchangeGrant, jwtBearerGrant].map((g) => [g.grantType, g]),
);
if ([...GRANTS.keys()].join() !== GRANT_TYPES.join()) throw new Error('capabilities.ts GRANT_TYPES must list the grants in grants/index.ts');

export type { GrantHandler } from './grant-handler.js';
