import { claim, defined, list, type TokenPreset } from './preset.js';

/** The roles Keycloak gives every user in the built-in `account` client. */
const ACCOUNT_ROLES = ['manage-account', 'manage-account-links', 'view-profile'];

/** Keycloak ("Server Administration Guide": Role scope mappings, Protocol mappers; keycloak-js adapter). */
export const keycloak: TokenPreset = {
  name: 'keycloak',
  follows: 'Keycloak Server Administration Guide: OpenID Connect protocol mappers (realm roles, client roles), and the keycloak-js adapter',
  accessToken: (c) => defined({
    typ: 'Bearer',
    azp: c.clientId,
    ...(c.user ? {
      preferred_username: claim(c, 'preferred_username'),
      email: claim(c, 'email'),
      email_verified: claim(c, 'email_verified'),
      name: claim(c, 'name'),
      realm_access: { roles: list(claim(c, 'roles')) },
      resource_access: claim(c, 'resource_access') ?? { account: { roles: ACCOUNT_ROLES } },
    } : {}),
  }),
  idToken: (c) => defined({
    typ: 'ID',
    preferred_username: claim(c, 'preferred_username'),
    email: claim(c, 'email'),
    email_verified: claim(c, 'email_verified'),
    name: claim(c, 'name'),
  }),
  userClaims: (username) => ({
    preferred_username: username, email: `${username}@example.com`, email_verified: true, name: username,
    given_name: username, family_name: 'Dev', roles: ['offline_access', 'uma_authorization', 'user'],
  }),
  jwtRefreshTokens: true,
  refreshTokenWithEveryLogin: true,
};
