import { claim, defined, list, stableId, type TokenPreset } from './preset.js';

/** The tenant id dev-op's "directory" has, unless a user carries its own `tid`. */
const DEV_TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';

/** Microsoft identity platform, v2.0 tokens ("Access token claims reference", "ID token claims reference"). */
export const entra: TokenPreset = {
  name: 'entra',
  follows: 'Microsoft identity platform: Access token claims reference and ID token claims reference (v2.0)',
  accessToken: (c) => defined({
    ver: '2.0',
    azp: c.clientId,
    tid: claim(c, 'tid') ?? DEV_TENANT,
    ...(c.user ? {
      oid: claim(c, 'oid') ?? stableId(c.user.sub),
      preferred_username: claim(c, 'preferred_username') ?? claim(c, 'email'),
      name: claim(c, 'name'),
      scp: c.scopes.filter((s) => !['openid', 'profile', 'email', 'offline_access'].includes(s)).join(' ') || undefined,
    } : { oid: stableId(c.clientId) }),
    roles: c.user && list(claim(c, 'roles')).length ? list(claim(c, 'roles')) : undefined,
  }),
  idToken: (c) => defined({
    ver: '2.0',
    tid: claim(c, 'tid') ?? DEV_TENANT,
    oid: c.user ? claim(c, 'oid') ?? stableId(c.user.sub) : undefined,
    preferred_username: claim(c, 'preferred_username') ?? claim(c, 'email'),
    name: claim(c, 'name'),
    roles: list(claim(c, 'roles')).length ? list(claim(c, 'roles')) : undefined,
  }),
  userClaims: (username) => ({
    oid: stableId(username), tid: DEV_TENANT, preferred_username: `${username}@devop.onmicrosoft.com`,
    email: `${username}@devop.onmicrosoft.com`, name: username, roles: ['User'],
  }),
};
