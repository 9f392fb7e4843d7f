import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { DEFAULTS } from '../config/defaults.js';
import { ConfigError, NotFoundError, UsageError } from '../errors/app-errors.js';
import { KeyRing } from '../keys/keyring.js';
import type { Client, Store, User } from '../store/types.js';
import { claimsForScopes } from '../tokens/claims.js';
import { signIdToken } from '../tokens/id-token.js';
import { issueAccessToken } from '../tokens/issue-access-token.js';
import { createSigner } from '../tokens/sign.js';
import { epochSeconds, type Clock } from '../util/clock.js';
import { createRandom, type RandomSource } from '../util/random.js';
import { mintScope } from './mint-scope.js';
import * as check from './validate.js';
import { clientSubject } from '../tokens/pairwise.js';
import { idTokenClaimsFor } from '../tokens/token-claims.js';
import { PRESET_NAMES } from '../protocol/presets.js';

/** `dev-op token mint` in data form. */
export interface MintInput {
  user?: string;
  sub?: string;
  client?: string;
  scope?: string;
  aud?: string;
  /** Seconds, or "30s" / "15m" / "1h" / "2d". */
  ttl?: string | number;
  claims?: string[] | Record<string, unknown>;
  type?: 'access' | 'id';
  /** Overrides the issuer (the server's, or the last one's on this data when none runs). */
  issuer?: string;
  /** Shape the token like this IdP's (default: the client's preset). */
  preset?: string;
}

export interface MintResult {
  token: string;
  type: 'access' | 'id';
  expires_in: number;
  /** The JOSE header and claims (absent for an opaque access token). */
  header?: ProtectedHeaderParameters;
  claims?: JWTPayload;
}

export interface MintContext {
  store: Store;
  issuer: string;
  clock: Clock;
  /** Ids (jti, opaque tokens): the instance's, seeded in deterministic mode. Default: a fresh CSPRNG source. */
  random?: RandomSource;
}

/** Claims the token's own flags set; `--claim` may not contradict them. */
const REGISTERED: Record<string, string> = {
  iss: 'the issuer', sub: '--user or --sub', aud: '--aud', exp: '--ttl', iat: 'the clock', nbf: 'the clock',
  jti: 'dev-op', client_id: '--client', azp: '--client', scope: '--scope', auth_time: 'dev-op',
};

async function pickClient(store: Store, id: string | undefined): Promise<Client> {
  if (id !== undefined) {
    const client = await store.getClient(id);
    if (!client) throw new NotFoundError(`client ${id} does not exist (see dev-op client list)`);
    return client;
  }
  const [first] = await store.listClients();
  if (!first) throw new UsageError('missing --client: there are no clients yet (dev-op client add)');
  return first;
}

/** The subject: a configured user (--user), a sub (a configured user's, or an ad-hoc one), or none. */
async function pickSubject(store: Store, input: MintInput): Promise<Pick<User, 'sub' | 'claims'> | undefined> {
  const username = check.optionalString(input.user, '--user');
  const sub = check.optionalString(input.sub, '--sub');
  if (username !== undefined && sub !== undefined) throw new UsageError('use --user or --sub, not both');
  if (username !== undefined) {
    const user = await store.getUser(username);
    if (!user) throw new NotFoundError(`user ${username} does not exist (see dev-op user list)`);
    return user;
  }
  if (sub !== undefined) return (await store.getUserBySub(check.identifier(sub, '--sub'))) ?? { sub, claims: {} };
  return undefined;
}

/**
 * A token signed with the current key, as the server would issue it. An access token (RFC 9068)
 * is recorded in the store so the server's userinfo and introspection accept it; with no user it
 * is a client token (sub = client_id), like client_credentials. An ID token carries the user's
 * claims for the scope; `--claim` adds to or overrides them.
 */
export async function mintToken(ctx: MintContext, raw: unknown): Promise<MintResult> {
  const input = check.inputObject(raw) as MintInput;
  const issuer = input.issuer === undefined ? ctx.issuer : check.issuerUrl(input.issuer);
  const type = check.oneOf(input.type, ['access', 'id'] as const, '--type') ?? 'access';
  const extra = check.claims(input.claims);
  const clash = Object.keys(extra).find((name) => Object.hasOwn(REGISTERED, name));
  if (clash) throw new UsageError(`--claim ${clash}=… is not allowed: ${clash} is set by ${REGISTERED[clash]}`);
  const preset = check.oneOf(input.preset, PRESET_NAMES, '--preset');
  const aud = check.optionalString(input.aud, '--aud');
  if (type === 'id' && aud !== undefined) throw new UsageError("--aud applies to access tokens; an ID token's audience is its --client");
  const ttl = input.ttl === undefined ? (type === 'id' ? DEFAULTS.ttl.IdToken : DEFAULTS.ttl.AccessToken) : check.ttlSeconds(input.ttl);
  const client = await pickClient(ctx.store, check.optionalString(input.client, '--client'));
  const subject = await pickSubject(ctx.store, input);
  const scope = mintScope(client, subject !== undefined, check.scope(input.scope));
  const stored = await ctx.store.listKeys();
  if (stored.length === 0) throw new ConfigError(`${ctx.store.location} has no signing key; run dev-op jwks rotate`);
  const keys = new KeyRing(stored);
  // A one-off signer: minting is one signature, signed inline.
  const signer = createSigner();

  // OIDC Core 8.1: a pairwise client sees its own sub for the user, as in the tokens the server issues it.
  const random = ctx.random ?? createRandom();
  const shownSub = subject === undefined ? undefined : await clientSubject({ store: ctx.store, random }, client, subject.sub);
  let token: string;
  if (type === 'id') {
    if (!subject) throw new UsageError('missing --user (or --sub): an ID token is about a user');
    const iat = epochSeconds(ctx.clock);
    // Signed as the server signs this client's ID tokens, or not at all: a token the RP would reject helps nobody.
    const alg = client.id_token_signed_response_alg;
    if (alg === 'HS256') {
      throw new UsageError(`client ${client.client_id} signs its ID tokens with HS256 (its client secret), which token mint does not do; get one through a login: dev-op login --client ${client.client_id} --print id_token`);
    }
    if (alg !== undefined && !keys.signerFor(alg)) {
      throw new UsageError(`client ${client.client_id} asks for ${alg} ID tokens and there is no ${alg} key yet; run dev-op jwks rotate (it makes a key for every alg a client asks for)`);
    }
    const { sub: _sub, ...userClaims } = claimsForScopes(subject, scope.split(' '));
    // As the server shapes this client's ID tokens: preset and mapped claims, the scopes', its extras, then --claim.
    const shaping = idTokenClaimsFor({
      client, issuer, scopes: scope.split(' '), user: { sub: shownSub ?? subject.sub, claims: subject.claims }, ...(preset ? { preset } : {}),
    });
    token = await signIdToken(signer, keys, {
      issuer, sub: shownSub ?? subject.sub, clientId: client.client_id, iat, exp: iat + ttl,
      extra: { ...shaping.shaped, ...userClaims, ...shaping.extra, ...extra },
    }, alg);
  } else {
    if (client.access_token_format === 'opaque' && Object.keys(extra).length) {
      throw new UsageError(`client ${client.client_id} gets opaque access tokens, which carry no claims; drop --claim or use another --client`);
    }
    ({ token } = await issueAccessToken({
      store: ctx.store, clock: ctx.clock, signer, random, config: { issuer }, keys: async () => keys,
    }, {
      client, sub: subject?.sub ?? client.client_id, ...(shownSub !== undefined ? { claimSub: shownSub } : {}), scope, forUser: subject !== undefined, ttl,
      ...(aud !== undefined ? { aud } : {}), extra, ...(preset ? { preset } : {}),
    }));
  }
  const isJwt = token.split('.').length === 3;
  return {
    token, type, expires_in: ttl,
    ...(isJwt ? { header: decodeProtectedHeader(token), claims: decodeJwt(token) } : {}),
  };
}
