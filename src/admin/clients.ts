import { isDeepStrictEqual } from 'node:util';
import { AlreadyExistsError, NotFoundError, UsageError } from '../errors/app-errors.js';
import type { Client, GrantType, Store } from '../store/types.js';
import { createRandom, type RandomSource } from '../util/random.js';
import { REQUEST_OBJECT_ALGS, RESPONSE_TYPES } from '../protocol/capabilities.js';
import * as check from './validate.js';
import { subjectSettings, verifySectorIdentifier } from './subject-type.js';
import { logoutChannels, type LogoutChannelInput } from './logout-metadata.js';
import { tokenClaims, type TokenClaimsInput } from './token-claims-metadata.js';

/** `dev-op client add` in data form: flag names, camelCased. Every field is optional. */
export interface ClientAddInput extends LogoutChannelInput, TokenClaimsInput {
  id?: string;
  secret?: string;
  public?: boolean;
  redirectUris?: string[];
  grants?: string[];
  /** OIDC response types (`code`, `id_token`, `code id_token`, …); default `code` with authorization_code. */
  responseTypes?: string[];
  scope?: string;
  name?: string;
  postLogoutRedirectUris?: string[];
  authMethod?: string;
  tokenFormat?: 'jwt' | 'opaque';
  skipConsent?: boolean;
  /** A native app (OIDC Registration application_type native): loopback redirect URIs match on any port (RFC 8252 7.3). */
  native?: boolean;
  /** private_key_jwt: where the client publishes its public keys, or the keys themselves. */
  jwksUri?: string;
  jwks?: { keys: unknown[] };
  /** RFC 9126 6 require_pushed_authorization_requests: only pushed authorization requests. */
  requirePar?: boolean;
  /** OIDC Registration request_object_signing_alg: the one alg its request objects must use. */
  requestObjectAlg?: string;
  /** RFC 9449 5.2 dpop_bound_access_tokens: token requests must carry a DPoP proof. */
  dpopBound?: boolean;
  /** OIDC Core 8: `pairwise` gives the client its own `sub` per user; `public` (the default) the user's own. */
  subjectType?: 'public' | 'pairwise';
  /** OIDC Core 8.1: a JSON array of the client's redirect URIs, whose host is the pairwise sector. */
  sectorIdentifierUri?: string;
  /** Seconds ("2s") a rotated refresh token may be presented again; 0 is off (refresh_token_reuse_interval). */
  refreshReuseInterval?: string | number;
}

export interface ClientAddResult {
  client: Client;
  /** What dev-op made up: a generated secret is shown this once. */
  generated: { id: boolean; secret: boolean };
  /** The client existed already with exactly these options: nothing was changed (a set-up script run again). */
  unchanged?: boolean;
}

const DEFAULT_GRANTS: GrantType[] = ['authorization_code', 'refresh_token'];

/** Grants that send the browser back to the client, and so need a redirect URI. */
const REDIRECTING_GRANTS: readonly GrantType[] = ['authorization_code'];

function grantsOf(input: ClientAddInput): GrantType[] {
  const given = check.stringList(input.grants, '--grant');
  return given.length ? [...new Set(given.map((grant) => check.grantType(grant)))] : [...DEFAULT_GRANTS];
}

/** What `client add` registers when no --response-type is given. */
export function defaultResponseTypes(grants: readonly string[]): string[] {
  return grants.includes('authorization_code') ? ['code'] : [];
}

/** Response types in their canonical spelling ("token id_token" is "id_token token"), checked against the grants. */
function responseTypesOf(input: ClientAddInput, grants: GrantType[]): string[] {
  const given = check.stringList(input.responseTypes, '--response-type');
  if (given.length === 0) return defaultResponseTypes(grants);
  const canonical = new Map(RESPONSE_TYPES.map((t) => [t.split(' ').sort().join(' '), t as string]));
  const types = given.map((t) => {
    const found = canonical.get(t.split(/\s+/).filter(Boolean).sort().join(' '));
    if (!found) throw new UsageError(`--response-type ${t} is not supported (supported: ${RESPONSE_TYPES.join(', ')})`);
    return found;
  });
  if (types.some((t) => t.split(' ').includes('code')) && !grants.includes('authorization_code')) {
    throw new UsageError('response types with code need the authorization_code grant (--grant authorization_code)');
  }
  return [...new Set(types)];
}

/**
 * The flags this input still needs, as the CLI names them (so it can prompt on a TTY, or fail
 * with "missing --redirect-uri" without one). Unknown grants are left to buildClient to report.
 */
export function missingClientInput(input: ClientAddInput): string[] {
  let grants: string[];
  try {
    grants = grantsOf(input);
  } catch {
    return [];
  }
  // Every response type answers through the browser, so asking for one needs a redirect URI too.
  const needsRedirect = grants.some((g) => (REDIRECTING_GRANTS as string[]).includes(g))
    || check.stringList(input.responseTypes, '--response-type').length > 0;
  return needsRedirect && check.stringList(input.redirectUris, '--redirect-uri').length === 0 ? ['--redirect-uri'] : [];
}

/** A new client's metadata from `client add` input, validated; pure (generates the id/secret if absent). */
export function buildClient(raw: unknown, random: RandomSource = createRandom()): ClientAddResult {
  const input = check.inputObject(raw) as ClientAddInput;
  const grants = grantsOf(input);
  const requestedMethod = check.optionalString(input.authMethod, '--auth-method');
  const method = requestedMethod === undefined ? undefined : check.authMethod(requestedMethod);
  const isPublic = input.public === true || method === 'none';
  let secret = check.optionalString(input.secret, '--secret');

  if (isPublic) {
    if (method !== undefined && method !== 'none') {
      throw new UsageError(`a public client authenticates with none, not --auth-method ${method}`);
    }
    if (secret !== undefined) throw new UsageError('a public client has no secret: use --public or --secret, not both');
    if (grants.includes('client_credentials')) {
      throw new UsageError('a public client cannot use the client_credentials grant (it has no secret to authenticate with)');
    }
  } else if (secret !== undefined && secret === '') {
    throw new UsageError('--secret must not be empty');
  }
  const jwksUri = input.jwksUri === undefined ? undefined : check.httpsOrLocalUrl(input.jwksUri, '--jwks-uri');
  const jwks = input.jwks === undefined ? undefined : check.publicJwks(input.jwks);
  if (jwksUri && jwks) throw new UsageError('use --jwks-uri or --jwks, not both');
  const keyAuth = method === 'private_key_jwt';
  if (keyAuth && !jwksUri && !jwks) {
    throw new UsageError('missing --jwks-uri or --jwks (private_key_jwt checks the client\'s signed assertions with its public keys)');
  }

  const missing = missingClientInput({ ...input, grants });
  if (missing.length) throw new UsageError(`missing ${missing[0]} (the authorization_code grant redirects back to it)`);
  const redirectUris = [...new Set(check.stringList(input.redirectUris, '--redirect-uri').map((u) => check.redirectUri(u)))];
  const postLogout = [
    ...new Set(check.stringList(input.postLogoutRedirectUris, '--post-logout-redirect-uri').map((u) => check.redirectUri(u, '--post-logout-redirect-uri'))),
  ];
  const givenId = check.optionalString(input.id, '--id');
  const id = givenId === undefined ? random.bytes(8).toString('hex') : check.identifier(givenId, '--id');
  // private_key_jwt needs no secret; one given (e.g. for HS256 ID tokens) is kept.
  const generatedSecret = !isPublic && !keyAuth && secret === undefined;
  if (generatedSecret) secret = random.id();
  const name = check.optionalString(input.name, '--name');
  const scope = check.scope(input.scope);
  const tokenFormat = check.oneOf(input.tokenFormat, ['jwt', 'opaque'] as const, '--token-format');
  const requestObjectAlg = check.oneOf(input.requestObjectAlg, [...REQUEST_OBJECT_ALGS, 'none'], '--request-object-alg');
  const dpopBound = check.optionalBoolean(input.dpopBound, '--dpop-bound');
  const subject = subjectSettings(input, redirectUris);
  const reuseInterval = input.refreshReuseInterval === undefined ? undefined : check.reuseIntervalSeconds(input.refreshReuseInterval);

  const client: Client = {
    client_id: id,
    ...(secret !== undefined ? { client_secret: secret } : {}),
    ...(name ? { client_name: name } : {}),
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogout,
    grant_types: grants,
    response_types: responseTypesOf(input, grants),
    token_endpoint_auth_method: isPublic ? 'none' : (method ?? 'client_secret_basic'),
    ...(scope ? { scope } : {}),
    ...(tokenFormat ? { access_token_format: tokenFormat } : {}),
    ...(input.skipConsent === true ? { skip_consent: true } : {}),
    ...(input.native === true ? { application_type: 'native' as const } : {}),
    ...(jwksUri ? { jwks_uri: jwksUri } : {}),
    ...(jwks ? { jwks } : {}),
    ...(input.requirePar === true ? { require_pushed_authorization_requests: true } : {}),
    ...(requestObjectAlg ? { request_object_signing_alg: requestObjectAlg } : {}),
    ...(dpopBound === true ? { dpop_bound_access_tokens: true } : {}),
    ...subject,
    ...logoutChannels(input),
    ...(reuseInterval !== undefined ? { refresh_token_reuse_interval: reuseInterval } : {}),
    ...tokenClaims(input),
  };
  return { client, generated: { id: givenId === undefined, secret: generatedSecret } };
}

/**
 * Add a client. The same `client add` run again (the same id and options) changes nothing and is
 * no error, so set-up scripts can be re-run; other options for an existing id point at `client update`.
 */
export async function addClient(store: Store, input: unknown, random?: RandomSource): Promise<ClientAddResult> {
  const result = buildClient(input, random);
  await verifySectorIdentifier(result.client);
  const id = result.client.client_id;
  try {
    await store.addClient(result.client);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    const existing = await store.getClient(id);
    if (existing && sameClient(existing, result)) return { client: existing, generated: { id: false, secret: false }, unchanged: true };
    throw new AlreadyExistsError(
      `client ${id} already exists with other settings; change it with dev-op client update ${id} (or remove it first: dev-op client remove ${id})`,
    );
  }
  return result;
}

/** The stored client is what these options build; a secret dev-op generated counts as the same. */
function sameClient(existing: Client, built: ClientAddResult): boolean {
  const secret = built.generated.secret ? existing.client_secret : built.client.client_secret;
  return isDeepStrictEqual(existing, withSecret(built.client, secret));
}

function withSecret(client: Client, secret: string | undefined): Client {
  const { client_secret: _omit, ...rest } = client;
  return secret === undefined ? rest : { ...rest, client_secret: secret };
}

export async function listClients(store: Store): Promise<Client[]> {
  return store.listClients();
}

export async function showClient(store: Store, id: unknown): Promise<Client> {
  const clientId = check.requiredString(id, 'ID');
  const client = await store.getClient(clientId);
  if (!client) throw new NotFoundError(`client ${clientId} does not exist (see dev-op client list)`);
  return client;
}

/**
 * Remove a client and revoke everything issued to it, so that a client later added with the same
 * id (a new registration) inherits no grant, code or token of the old one.
 */
export async function removeClient(store: Store, id: unknown): Promise<{ removed: string }> {
  const clientId = check.requiredString(id, 'ID');
  if (!(await store.removeClient(clientId))) throw new NotFoundError(`client ${clientId} does not exist (see dev-op client list)`);
  await store.revokeClient(clientId);
  return { removed: clientId };
}
