/** Plain words for the consent page. */
const DESCRIPTIONS: Record<string, string> = {
  openid: 'Sign you in and know who you are',
  profile: 'See your profile: name, username, picture and locale',
  email: 'See your email address and whether it is verified',
  address: 'See your postal address',
  phone: 'See your phone number',
  offline_access: 'Stay signed in: keep access while you are away (refresh tokens)',
};

export function describeScope(scope: string): string {
  return DESCRIPTIONS[scope] ?? `Access ${scope}`;
}
