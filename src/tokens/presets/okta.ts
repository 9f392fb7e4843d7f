import { claim, defined, list, stableId, type TokenPreset } from './preset.js';

/** Okta ("Tokens reference": access token and ID token claims; "Customize tokens with a groups claim"). */
export const okta: TokenPreset = {
  name: 'okta',
  follows: 'Okta Developer: OpenID Connect & OAuth 2.0 API, Tokens reference (access token, ID token), Customize tokens returned from Okta with a Groups claim',
  accessToken: (c) => defined({
    ver: 1,
    cid: c.clientId,
    scp: c.scopes,
    uid: c.user ? claim(c, 'uid') ?? stableId(c.user.sub).replace(/-/g, '').slice(0, 20) : undefined,
    groups: c.user && list(claim(c, 'groups')).length ? list(claim(c, 'groups')) : undefined,
  }),
  idToken: (c) => defined({
    ver: 1,
    idp: claim(c, 'idp') ?? c.issuer,
    preferred_username: claim(c, 'preferred_username') ?? claim(c, 'email'),
    name: claim(c, 'name'),
    groups: list(claim(c, 'groups')).length ? list(claim(c, 'groups')) : undefined,
  }),
  userClaims: (username) => ({
    preferred_username: `${username}@example.com`, email: `${username}@example.com`, email_verified: true, name: username,
    groups: ['Everyone'],
  }),
};
