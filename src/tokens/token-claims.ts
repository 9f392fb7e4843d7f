import type { PresetName } from '../protocol/presets.js';
import type { Client, User } from '../store/types.js';
import { renderExtras } from './claim-template.js';
import { presetNamed } from './presets/index.js';
import type { PresetContext } from './presets/preset.js';

/**
 * Claim mapping (README "Claims in tokens"): what a client adds to its tokens beyond the protocol's
 * claims. Lowest to highest: the preset's shape, the user claims the client maps
 * (`access_token_claims` / `id_token_claims` / `userinfo_claims`), then its extra claims
 * (`access_token_extra` / `id_token_extra`). Callers layer the request's own claims above these
 * and the protocol's (iss, sub, aud, exp, …) above everything.
 */
export interface ClaimSubject {
  client: Client;
  /** The user the token is about (their stored sub and claims); absent for a client's own token. */
  user?: Pick<User, 'sub' | 'claims'>;
  issuer: string;
  scopes: string[];
  /** Overrides the client's preset (`token mint --preset`). */
  preset?: PresetName;
  /** The userinfo endpoint's URL; default `<issuer>/me`. */
  userinfoUrl?: string;
}

/** The user's claims named in `names` that the user has. */
export function pickUserClaims(names: readonly string[] | undefined, user: Pick<User, 'claims'> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names ?? []) {
    if (user?.claims[name] !== undefined) out[name] = user.claims[name];
  }
  return out;
}

/** Whether shaping this client's tokens needs the user's stored claims (saves a store read when not). */
export function shapesTokens(client: Client, preset?: PresetName): boolean {
  return (preset ?? client.preset) !== undefined || client.access_token_claims !== undefined || client.id_token_claims !== undefined
    || client.access_token_extra !== undefined || client.id_token_extra !== undefined;
}

function presetContext(s: ClaimSubject): PresetContext {
  return {
    clientId: s.client.client_id, issuer: s.issuer, scopes: s.scopes, userinfoUrl: s.userinfoUrl ?? `${s.issuer}/me`,
    ...(s.user ? { user: { sub: s.user.sub, claims: s.user.claims } } : {}),
  };
}

/** The access token's added claims, and its `aud` as the preset shapes it (undefined: no aud). */
export function accessTokenClaimsFor(s: ClaimSubject, aud: string): { claims: Record<string, unknown>; aud: string | string[] | undefined } {
  const preset = presetNamed(s.preset ?? s.client.preset);
  const ctx = presetContext(s);
  return {
    claims: {
      ...preset?.accessToken(ctx),
      ...pickUserClaims(s.client.access_token_claims, s.user),
      ...renderExtras(s.client.access_token_extra, { client: s.client, user: s.user }),
    },
    aud: preset?.accessTokenAudience ? preset.accessTokenAudience(aud, ctx) : aud,
  };
}

/** The ID token's added claims: `shaped` (preset and mapped claims) sits below the request's own, `extra` above. */
export function idTokenClaimsFor(s: ClaimSubject): { shaped: Record<string, unknown>; extra: Record<string, unknown> } {
  const preset = presetNamed(s.preset ?? s.client.preset);
  return {
    shaped: { ...preset?.idToken(presetContext(s)), ...pickUserClaims(s.client.id_token_claims, s.user) },
    extra: renderExtras(s.client.id_token_extra, { client: s.client, user: s.user }),
  };
}
