import { createHash } from 'node:crypto';
import type { PresetName } from '../../protocol/presets.js';

/** What a preset sees when it shapes one token. */
export interface PresetContext {
  clientId: string;
  issuer: string;
  /** The granted scopes. */
  scopes: string[];
  /** The user the token is about, with their stored claims; absent for a client's own token. */
  user?: { sub: string; claims: Record<string, unknown> };
  /** The userinfo endpoint's URL (auth0 puts it in the access token's aud). */
  userinfoUrl: string;
}

/**
 * A production IdP's token shape, as a description: the claims it adds to access and ID tokens,
 * the access token's audience, the claims `user add --preset` fills in, and client options it
 * implies. Claims a client maps or adds itself, and the protocol's own claims, take precedence.
 */
export interface TokenPreset {
  name: PresetName;
  /** The vendor documentation the shape follows (README names it too). */
  follows: string;
  accessToken(c: PresetContext): Record<string, unknown>;
  idToken(c: PresetContext): Record<string, unknown>;
  /** The access token's `aud` from dev-op's (the client_id or resource); undefined leaves it out. */
  accessTokenAudience?(aud: string, c: PresetContext): string | string[] | undefined;
  /** Sensible claims for a new user of this IdP (`dev-op user add --preset`). */
  userClaims(username: string): Record<string, unknown>;
  /** Refresh tokens as signed JWTs (keycloak-js decodes them). */
  jwtRefreshTokens?: boolean;
  /** A refresh token with every login, without offline_access (Keycloak's session-bound refresh tokens). */
  refreshTokenWithEveryLogin?: boolean;
}

/** A user claim as a list of strings (a single string is a list of one). */
export function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

/** Only the claims that have a value. */
export function defined(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
}

/** A stable UUID-shaped id for a name (an Entra object id, an Okta uid), the same on every run. */
export function stableId(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The user's stored claim `name` (undefined for a client token). */
export function claim(c: PresetContext, name: string): unknown {
  return c.user?.claims[name];
}
