import { NotFoundError, UsageError } from '../errors/app-errors.js';
import type { Client } from '../store/types.js';
import { epochSeconds } from '../util/clock.js';
import { safeEqual } from '../util/safe-equal.js';
import { buildClient, type ClientAddInput } from './clients.js';
import type { OperationContext } from './operations.js';
import { verifySectorIdentifier } from './subject-type.js';
import * as check from './validate.js';
import { sha256Base64url } from '../util/sha256.js';

/** `dev-op registration token` with no --ttl: a day, long enough for a test session. */
const DEFAULT_INITIAL_TOKEN_TTL = 24 * 60 * 60;

/** Tokens are stored and compared by this hash only: the data file never holds one that works. */
export function tokenHash(token: string): string {
  return sha256Base64url(token);
}

export interface Registered {
  client: Client;
  /** RFC 7592 2: shown this once; only its hash is kept. */
  registrationAccessToken: string;
}

/**
 * RFC 7591 3.1 with the metadata as `client add` input: validated exactly as `client add` does; the
 * server picks client_id and client_secret (3.2.1), so any given are not used.
 */
export async function registerClient(ctx: OperationContext, raw: unknown): Promise<Registered> {
  const { id: _id, secret: _secret, ...input } = check.inputObject(raw) as ClientAddInput;
  const { client } = buildClient(input, ctx.random);
  await verifySectorIdentifier(client);
  const registrationAccessToken = ctx.random.id();
  client.client_id_issued_at = epochSeconds(ctx.clock);
  client.registration_access_token_hash = tokenHash(registrationAccessToken);
  await ctx.store.addClient(client);
  return { client, registrationAccessToken };
}

/**
 * RFC 7592 2.2: the client's metadata replaced by `metadata` (what is left out goes back to its
 * default), validated as `client add` does. client_id, the secret and the registration stay.
 */
export async function replaceRegisteredClient(ctx: OperationContext, raw: unknown): Promise<Client> {
  const { id: rawId, secret, ...input } = check.inputObject(raw) as ClientAddInput;
  const id = check.requiredString(rawId, 'client_id');
  const current = await ctx.store.getClient(id);
  if (!current?.registration_access_token_hash) throw new NotFoundError(`client ${id} was not registered at the registration endpoint`);
  // 2.2: a client_secret sent must be the current one; the server does not take a new one from the client.
  if (secret !== undefined && secret !== current.client_secret) throw new UsageError('client_secret must be the current one (it cannot be chosen)');
  const isPublic = input.public === true || input.authMethod === 'none';
  const keptSecret = isPublic ? undefined : current.client_secret;
  const { client } = buildClient({ ...input, id, ...(keptSecret !== undefined ? { secret: keptSecret } : {}) }, ctx.random);
  await verifySectorIdentifier(client, current);
  const next: Client = {
    ...client,
    ...(current.client_id_issued_at !== undefined ? { client_id_issued_at: current.client_id_issued_at } : {}),
    registration_access_token_hash: current.registration_access_token_hash,
  };
  const updated = await ctx.store.updateClient(id, () => next);
  if (!updated) throw new NotFoundError(`client ${id} does not exist`);
  return updated;
}

/** RFC 7592 2: whether `presented` is this client's registration access token (constant time). */
export function holdsRegistrationToken(client: Client | undefined, presented: string): boolean {
  const expected = client?.registration_access_token_hash;
  // Compared even without a client, so an unknown client_id takes as long as a wrong token.
  return safeEqual(tokenHash(presented), expected ?? '') && expected !== undefined;
}

export interface InitialAccessToken {
  token: string;
  /** Epoch seconds. */
  expires_at: number;
}

/** RFC 7591 3: an initial access token for the registration endpoint (`dev-op registration token`). */
export async function mintInitialAccessToken(ctx: OperationContext, raw: unknown): Promise<InitialAccessToken> {
  const input = check.inputObject(raw) as { ttl?: unknown };
  const ttl = input.ttl === undefined ? DEFAULT_INITIAL_TOKEN_TTL : check.ttlSeconds(input.ttl);
  const token = ctx.random.id();
  const expiresAt = epochSeconds(ctx.clock) + ttl;
  await ctx.store.put('InitialAccessToken', tokenHash(token), { exp: expiresAt });
  return { token, expires_at: expiresAt };
}

/** Whether `presented` is a live initial access token. */
export async function isInitialAccessToken(ctx: Pick<OperationContext, 'store'>, presented: string): Promise<boolean> {
  return (await ctx.store.get('InitialAccessToken', tokenHash(presented))) !== undefined;
}
