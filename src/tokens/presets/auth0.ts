import { claim, defined, list, type TokenPreset } from './preset.js';

/** Auth0 asks custom claims to be namespaced with a URL (reserved names are dropped). */
export const AUTH0_NAMESPACE = 'https://dev-op.local/';

/** The user's custom claims (roles, groups, …) under the namespace. */
function namespaced(claims: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of ['roles', 'groups']) {
    if (claims?.[name] !== undefined) out[`${AUTH0_NAMESPACE}${name}`] = claims[name];
  }
  return out;
}

/** Auth0 ("Access Tokens", "ID Token Structure", "Create Custom Claims", "Enable Role-Based Access Control for APIs"). */
export const auth0: TokenPreset = {
  name: 'auth0',
  follows: 'Auth0 docs: Access Token Profiles, ID Token Structure, Create Custom Claims, Role-Based Access Control (permissions)',
  accessToken: (c) => defined({
    azp: c.clientId,
    ...(c.user ? namespaced(c.user.claims) : { gty: 'client-credentials' }),
    // RBAC: the user's API permissions (a `permissions` claim), else the non-OIDC scopes granted.
    permissions: c.user && claim(c, 'permissions') !== undefined
      ? list(claim(c, 'permissions'))
      : c.scopes.filter((s) => !['openid', 'profile', 'email', 'address', 'phone', 'offline_access'].includes(s)),
  }),
  idToken: (c) => defined({
    nickname: claim(c, 'nickname'), name: claim(c, 'name'), picture: claim(c, 'picture'), updated_at: claim(c, 'updated_at'),
    ...namespaced(c.user?.claims),
  }),
  // Auth0's access token for an API, with openid, is also good at /userinfo: aud lists both.
  accessTokenAudience: (aud, c) => (c.user && c.scopes.includes('openid') ? [aud, c.userinfoUrl] : aud),
  userClaims: (username) => ({
    nickname: username, name: `${username}@example.com`, email: `${username}@example.com`, email_verified: true,
    picture: `https://s.gravatar.com/avatar/${username}?s=480`, roles: ['user'], permissions: ['read:messages'],
  }),
};
