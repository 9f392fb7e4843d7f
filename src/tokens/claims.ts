import type { User } from '../store/types.js';

/** OIDC Core 5.4: the claims each standard scope releases. */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  profile: [
    'name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile',
    'picture', 'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
});

const STANDARD_CLAIMS = new Set(Object.values(SCOPE_CLAIMS).flat());

/** Every claim name dev-op can release, for discovery. */
export const CLAIMS_SUPPORTED = ['sub', ...STANDARD_CLAIMS];

/**
 * The user's claims released by these scopes. Custom claims (not defined by OIDC, e.g. `groups`)
 * come with `profile`, so `--claim groups=admin` reaches the app without configuration.
 */
export function claimsForScopes(user: Pick<User, 'sub' | 'claims'>, scopes: Iterable<string>): Record<string, unknown> {
  const out: Record<string, unknown> = { sub: user.sub };
  const granted = new Set(scopes);
  for (const [scope, names] of Object.entries(SCOPE_CLAIMS)) {
    if (!granted.has(scope)) continue;
    for (const name of names) {
      if (user.claims[name] !== undefined) out[name] = user.claims[name];
    }
  }
  if (granted.has('profile')) {
    for (const [name, value] of Object.entries(user.claims)) {
      if (!STANDARD_CLAIMS.has(name) && name !== 'sub') out[name] = value;
    }
  }
  return out;
}
