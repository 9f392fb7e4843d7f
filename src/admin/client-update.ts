import { NotFoundError, UsageError } from '../errors/app-errors.js';
import type { Client, Store } from '../store/types.js';
import { createRandom, type RandomSource } from '../util/random.js';
import { buildClient, defaultResponseTypes, type ClientAddInput, type ClientAddResult } from './clients.js';
import * as check from './validate.js';
import { verifySectorIdentifier } from './subject-type.js';

/** `dev-op client update ID`: any `client add` option replaces that setting; the add/remove lists edit one. */
export interface ClientUpdateInput extends ClientAddInput {
  id: string;
  addRedirectUris?: string[];
  removeRedirectUris?: string[];
  addPostLogoutRedirectUris?: string[];
  removePostLogoutRedirectUris?: string[];
  addGrants?: string[];
  removeGrants?: string[];
  /** A new generated secret, returned this once. */
  rotateSecret?: boolean;
}

/** Metadata `client add` has no option for (set by a fixture): an update keeps it as it is. */
const KEPT: readonly (keyof Client)[] = ['logo_uri', 'ttl', 'rotate_refresh_token', 'id_token_signed_response_alg', 'accepted_on_the_fly'];

/** What the registration endpoint set (RFC 7591/7592): an update keeps the client registered dynamically. */
const KEPT_REGISTRATION: readonly (keyof Client)[] = ['client_id_issued_at', 'registration_access_token_hash'];

/** A stored client as the `client add` input that would build it, so an update is validated exactly like an add. */
function asAddInput(client: Client): ClientAddInput {
  const isPublic = client.token_endpoint_auth_method === 'none';
  // Response types left at their default follow the grants (dropping authorization_code drops `code`).
  const defaulted = JSON.stringify(client.response_types) === JSON.stringify(defaultResponseTypes(client.grant_types));
  return {
    id: client.client_id,
    secret: client.client_secret,
    public: isPublic,
    redirectUris: client.redirect_uris,
    postLogoutRedirectUris: client.post_logout_redirect_uris,
    grants: client.grant_types,
    ...(defaulted ? {} : { responseTypes: client.response_types }),
    scope: client.scope,
    name: client.client_name,
    authMethod: isPublic ? undefined : client.token_endpoint_auth_method,
    tokenFormat: client.access_token_format,
    skipConsent: client.skip_consent,
    native: client.application_type === 'native',
    jwksUri: client.jwks_uri,
    jwks: client.jwks,
    requirePar: client.require_pushed_authorization_requests,
    requestObjectAlg: client.request_object_signing_alg,
    dpopBound: client.dpop_bound_access_tokens,
    subjectType: client.subject_type,
    sectorIdentifierUri: client.sector_identifier_uri,
    backchannelLogoutUri: client.backchannel_logout_uri,
    backchannelLogoutSessionRequired: client.backchannel_logout_session_required,
    frontchannelLogoutUri: client.frontchannel_logout_uri,
    frontchannelLogoutSessionRequired: client.frontchannel_logout_session_required,
    refreshReuseInterval: client.refresh_token_reuse_interval,
    accessTokenClaims: client.access_token_claims,
    idTokenClaims: client.id_token_claims,
    userinfoClaims: client.userinfo_claims,
    accessTokenExtra: client.access_token_extra,
    idTokenExtra: client.id_token_extra,
    preset: client.preset,
    refreshTokenFormat: client.refresh_token_format,
    webOrigins: client.web_origins,
  };
}

/** `list` with `add` appended and `remove` taken out; removing what is not there is a typo, so an error. */
function edit(list: readonly string[], add: unknown, remove: unknown, flag: string, clientId: string): string[] {
  const out = [...list, ...check.stringList(add, `--add-${flag}`)];
  for (const item of check.stringList(remove, `--remove-${flag}`)) {
    const i = out.indexOf(item);
    if (i < 0) throw new UsageError(`--remove-${flag} ${item}: client ${clientId} has no such ${flag.replace(/-/g, ' ')} (it has: ${list.join(', ') || 'none'})`);
    out.splice(i, 1);
  }
  return [...new Set(out)];
}

/** Grant names as stored (device_code is its URN), so adding or removing either spelling works. */
const grantList = (value: unknown, flag: string): string[] => check.stringList(value, flag).map((grant) => check.grantType(grant, flag));

/** Only the options given: an absent option keeps the stored setting. */
function given(input: ClientAddInput): Partial<ClientAddInput> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<ClientAddInput>;
}

/** The updated client, validated as `client add` validates, from the stored one and the changes. */
function applyUpdate(current: Client, input: ClientUpdateInput, random: RandomSource): ClientAddResult {
  const {
    addRedirectUris, removeRedirectUris, addPostLogoutRedirectUris, removePostLogoutRedirectUris, addGrants, removeGrants, rotateSecret,
    ...options
  } = input;
  const id = current.client_id;
  const next: ClientAddInput = { ...asAddInput(current), ...given(options), id };
  const toConfidential = options.secret !== undefined || (options.authMethod !== undefined && options.authMethod !== 'none');
  if (options.public === true) {
    // Becoming public: the secret and the secret-based method go, unless given again (then add's checks refuse them).
    next.secret = options.secret;
    next.authMethod = options.authMethod;
  } else if (options.public === undefined && toConfidential) {
    next.public = false;
  }
  if (rotateSecret === true) {
    if (options.secret !== undefined) throw new UsageError('use --secret or --rotate-secret, not both');
    if (next.public === true) throw new UsageError(`client ${id} is public: it has no secret to rotate`);
    next.secret = random.id();
  }
  next.redirectUris = edit(check.stringList(next.redirectUris, '--redirect-uri'), addRedirectUris, removeRedirectUris, 'redirect-uri', id);
  next.postLogoutRedirectUris = edit(
    check.stringList(next.postLogoutRedirectUris, '--post-logout-redirect-uri'), addPostLogoutRedirectUris, removePostLogoutRedirectUris,
    'post-logout-redirect-uri', id,
  );
  const grants = edit(grantList(next.grants, '--grant'), grantList(addGrants, '--add-grant'), grantList(removeGrants, '--remove-grant'), 'grant', id);
  if (grants.length === 0) throw new UsageError(`client ${id} would have no grant left; add one with --add-grant`);
  next.grants = grants;

  const built = buildClient(next, random);
  for (const key of [...KEPT, ...KEPT_REGISTRATION]) {
    if (current[key] !== undefined) Object.assign(built.client, { [key]: current[key] });
  }
  const secretIsNew = built.client.client_secret !== undefined && built.client.client_secret !== current.client_secret;
  return { client: built.client, generated: { id: false, secret: rotateSecret === true || (built.generated.secret && secretIsNew) } };
}

/** Change a registered client in place: nothing it was issued is revoked (unlike remove and add). */
export async function updateClient(store: Store, raw: unknown, random: RandomSource = createRandom()): Promise<ClientAddResult> {
  const input = check.inputObject(raw) as Partial<ClientUpdateInput>;
  const id = check.requiredString(input.id, 'ID');
  // OIDC Core 8.1: a new sector or redirect URI is checked against the sector_identifier_uri first
  // (a fetch, which cannot run inside the atomic update); a preview so nothing is changed yet.
  const current = await store.getClient(id);
  if (current) await verifySectorIdentifier(applyUpdate(current, { ...input, id }, createRandom()).client, current);
  let result: ClientAddResult | undefined;
  const updated = await store.updateClient(id, (current) => (result = applyUpdate(current, { ...input, id }, random)).client);
  if (!updated || !result) throw new NotFoundError(`client ${id} does not exist (see dev-op client list; add it with dev-op client add --id ${id})`);
  return { client: updated, generated: result.generated };
}
