import { claim, defined, list, type TokenPreset } from './preset.js';

function groups(claims: Record<string, unknown> | undefined): string[] | undefined {
  const g = list(claims?.groups ?? claims?.roles);
  return g.length ? g : undefined;
}

/** Amazon Cognito user pools ("Understanding user pool JSON web tokens": the ID token, the access token). */
export const cognito: TokenPreset = {
  name: 'cognito',
  follows: 'Amazon Cognito Developer Guide: Understanding the ID token / Understanding the access token',
  accessToken: (c) => defined({
    token_use: 'access',
    username: c.user ? claim(c, 'cognito:username') ?? claim(c, 'preferred_username') ?? c.user.sub : undefined,
    'cognito:groups': groups(c.user?.claims),
  }),
  idToken: (c) => defined({
    token_use: 'id',
    'cognito:username': c.user ? claim(c, 'cognito:username') ?? claim(c, 'preferred_username') ?? c.user.sub : undefined,
    'cognito:groups': groups(c.user?.claims),
    email: claim(c, 'email'),
    email_verified: claim(c, 'email') === undefined ? undefined : claim(c, 'email_verified') ?? true,
  }),
  // Cognito access tokens carry client_id and no aud.
  accessTokenAudience: () => undefined,
  userClaims: (username) => ({ 'cognito:username': username, email: `${username}@example.com`, email_verified: true, groups: ['users'] }),
};
