import { InvalidGrant } from '../errors/oauth-errors.js';
import type { KeyRing } from '../keys/keyring.js';
import type { AccessTokenRecord } from '../store/records.js';
import type { Client, StateRecords, Store } from '../store/types.js';
import { epochSeconds, type Clock } from '../util/clock.js';
import type { RandomSource } from '../util/random.js';
import { signAccessToken } from './access-token.js';
import type { Signer } from './sign.js';
import type { PresetName } from '../protocol/presets.js';
import { accessTokenClaimsFor, shapesTokens } from './token-claims.js';

/** What issuing an access token needs: a running provider has it, and so does `dev-op token mint` on a data file. */
export interface AccessTokenIssuer {
  readonly store: Store;
  readonly clock: Clock;
  readonly signer: Signer;
  readonly random: RandomSource;
  readonly config: { readonly issuer: string; readonly routes?: { readonly userinfo: string } };
  keys(): Promise<KeyRing>;
}

/**
 * Store a token record, and if it belongs to a user grant, make sure the grant still exists. A
 * replayed code or a reused refresh token, detected by a concurrent request, revokes the grant
 * while the winning request is still signing its tokens; revokeGrant removes only the records
 * that exist then, so one written later would outlive the revocation. Write first, then look:
 * either the revocation saw this record, or this sees the grant gone.
 */
export async function putTokenRecord<K extends 'AccessToken' | 'RefreshToken'>(
  op: { readonly store: Store }, kind: K, id: string, record: StateRecords[K],
): Promise<void> {
  await op.store.put(kind, id, record);
  if (record.grantId !== undefined && !(await op.store.get('Grant', record.grantId))) {
    await op.store.delete(kind, id);
    throw new InvalidGrant('the grant was revoked while its tokens were being issued (a replayed code or refresh token)');
  }
}

/** Issue an access token (JWT or opaque per client or resource server) and remember it so it can be revoked. */
export async function issueAccessToken(
  op: AccessTokenIssuer,
  a: {
    client: Client; sub: string; scope: string; forUser: boolean; grantId?: string; authTime?: number; ttl: number;
    /** The `sub` the JWT shows when the client sees another than the stored one (a pairwise sub, OIDC Core 8.1). */
    claimSub?: string;
    /** Default: the client_id (`token mint --aud`). */
    aud?: string;
    /** Default: the client's access_token_format (a resource server may set its own). */
    format?: 'jwt' | 'opaque';
    /** Extra JWT claims (`token mint --claim`); never override the registered ones. */
    extra?: Record<string, unknown>;
    /** The claims parameter (JSON): its userinfo members are released at /me. */
    claims?: string;
    /** RFC 9449: bind the token to this DPoP key thumbprint (cnf.jkt). */
    jkt?: string;
    /** RFC 8693 4.1: who acts for the subject (token exchange); a claim of a JWT, kept in an opaque token's record. */
    act?: Record<string, unknown>;
    /** Shape it like this preset instead of the client's (`token mint --preset`). */
    preset?: PresetName;
  },
): Promise<{ token: string; expiresIn: number; jti?: string }> {
  const iat = epochSeconds(op.clock);
  const aud = a.aud ?? a.client.client_id;
  const exp = iat + a.ttl;
  // What the store must know whatever the format: liveness, revocation by grant, client or user.
  // A JWT carries the rest (scope, aud, iat), read back from it when the token is looked up.
  const record: AccessTokenRecord = {
    clientId: a.client.client_id,
    sub: a.sub,
    exp,
    ...(a.forUser ? { forUser: true } : {}),
    ...(a.grantId ? { grantId: a.grantId } : {}),
    ...(a.claims !== undefined ? { claims: a.claims } : {}),
  };
  if ((a.format ?? a.client.access_token_format) === 'opaque') {
    // The value carries nothing: the record is the whole token.
    const token = op.random.id();
    await putTokenRecord(op, 'AccessToken', token, {
      ...record, scope: a.scope, aud, iat, ...(a.authTime !== undefined ? { authTime: a.authTime } : {}),
      ...(a.jkt !== undefined ? { jkt: a.jkt } : {}), ...(a.act ? { act: a.act } : {}),
    });
    return { token, expiresIn: a.ttl };
  }
  // The client's claim mapping and preset; the caller's extra claims (token mint --claim) above them.
  let shaped: { claims: Record<string, unknown>; aud: string | string[] | undefined } = { claims: {}, aud };
  if (shapesTokens(a.client, a.preset)) {
    const stored = a.forUser ? await op.store.getUserBySub(a.sub) : undefined;
    // A login's own claim overrides ride on its grant (loginAs(user, { claims })).
    const overrides = a.forUser && a.grantId !== undefined ? (await op.store.get('Grant', a.grantId))?.claims : undefined;
    shaped = accessTokenClaimsFor({
      client: a.client, issuer: op.config.issuer, scopes: a.scope.split(' ').filter(Boolean),
      ...(a.preset ? { preset: a.preset } : {}),
      ...(op.config.routes ? { userinfoUrl: op.config.issuer + op.config.routes.userinfo } : {}),
      ...(a.forUser ? { user: { sub: a.claimSub ?? a.sub, claims: { ...stored?.claims, ...overrides } } } : {}),
    }, aud);
  }
  const { token, jti } = await signAccessToken(op, await op.keys(), {
    issuer: op.config.issuer, sub: a.claimSub ?? a.sub, clientId: record.clientId, aud: shaped.aud,
    scope: a.scope, iat, exp, authTime: a.authTime, extra: { ...shaped.claims, ...a.extra, ...(a.act ? { act: a.act } : {}) },
    ...(a.jkt !== undefined ? { jkt: a.jkt } : {}),
  });
  await putTokenRecord(op, 'AccessToken', jti, record);
  return { token, expiresIn: a.ttl, jti };
}
