import { claim, defined, type TokenPreset } from './preset.js';

/** The hosted domain of a Google Workspace account; consumer (gmail.com) accounts have none. */
function hostedDomain(email: unknown): string | undefined {
  if (typeof email !== 'string' || !email.includes('@')) return undefined;
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return domain === 'gmail.com' || domain === 'googlemail.com' ? undefined : domain;
}

/** Google ("OpenID Connect" in Google Identity: Obtaining user profile information from the ID token). */
export const google: TokenPreset = {
  name: 'google',
  follows: 'Google Identity: OpenID Connect (An ID token\'s payload)',
  accessToken: (c) => defined({ azp: c.clientId }),
  idToken: (c) => defined({
    azp: c.clientId,
    email: claim(c, 'email'),
    email_verified: claim(c, 'email') === undefined ? undefined : claim(c, 'email_verified') ?? true,
    hd: claim(c, 'hd') ?? hostedDomain(claim(c, 'email')),
    name: claim(c, 'name'), given_name: claim(c, 'given_name'), family_name: claim(c, 'family_name'), picture: claim(c, 'picture'),
  }),
  userClaims: (username) => ({
    email: `${username}@example.com`, email_verified: true, name: username, given_name: username, family_name: 'Dev',
  }),
};
