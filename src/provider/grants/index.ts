import type { GrantType } from '../../store/types.js';
import { authorizationCodeGrant } from './authorization-code.js';
import { clientCredentialsGrant } from './client-credentials.js';
import { deviceCodeGrant } from './device-code.js';
import type { GrantHandler } from './grant-handler.js';
import { passwordGrant } from './password.js';
import { refreshTokenGrant } from './refresh-token.js';

/** Every grant the token endpoint serves; discovery advertises exactly these. */
export const GRANTS: ReadonlyMap<GrantType, GrantHandler> = new Map(
  [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant, passwordGrant, deviceCodeGrant].map((g) => [g.grantType, g]),
);

export type { GrantHandler } from './grant-handler.js';
