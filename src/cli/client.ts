import { type Command, Option } from 'commander';
import type { ClientAddInput } from '../admin/clients.js';
import type { Client } from '../app/data-types.js';
import { action, collect, examples, group, leaf, dataTarget, type CommonFlags } from './common.js';
import { PRESET_NAMES } from '../protocol/presets.js';

interface AddFlags extends CommonFlags {
  id?: string;
  secret?: string;
  public?: boolean;
  redirectUri?: string[];
  grant?: string[];
  responseType?: string[];
  scope?: string;
  name?: string;
  postLogoutRedirectUri?: string[];
  authMethod?: string;
  tokenFormat?: 'jwt' | 'opaque';
  skipConsent?: boolean;
  native?: boolean;
  jwksUri?: string;
  jwks?: string;
  requirePar?: boolean;
  requestObjectAlg?: string;
  dpopBound?: boolean;
  subjectType?: 'public' | 'pairwise';
  sectorIdentifierUri?: string;
  backchannelLogoutUri?: string;
  frontchannelLogoutUri?: string;
  refreshReuseInterval?: string;
  accessTokenClaim?: string[];
  idTokenClaim?: string[];
  userinfoClaim?: string[];
  accessTokenExtra?: string[];
  idTokenExtra?: string[];
  preset?: string;
  refreshTokenFormat?: string;
  webOrigin?: string[];
}

/** `--jwks` is inline JSON or the path of a JSON file. */
async function readJwks(value: string): Promise<{ keys: unknown[] }> {
  const { UsageError } = await import('../errors/app-errors.js');
  let text = value;
  if (!value.trimStart().startsWith('{')) {
    const { readFile } = await import('node:fs/promises');
    text = await readFile(value, 'utf8').catch(() => {
      throw new UsageError(`--jwks ${value}: no such file (give a JWK Set as JSON or the path of one)`);
    });
  }
  try {
    return JSON.parse(text) as { keys: unknown[] };
  } catch {
    throw new UsageError(`--jwks ${value} is not valid JSON`);
  }
}

/** RFC 7591: when a client registered itself at /reg (undefined for one added here). */
function registeredAt(client: Client): string | undefined {
  if (client.registration_access_token_hash === undefined) return undefined;
  const at = client.client_id_issued_at === undefined ? '' : ` at ${new Date(client.client_id_issued_at * 1000).toISOString()}`;
  return `dynamically${at} (RFC 7591 /reg)`;
}

/** The human view of one client; the secret only when it was just generated (shown once). */
async function printClient(client: Client, showSecret: boolean): Promise<void> {
  const { printFields } = await import('./output.js');
  const secret = client.client_secret === undefined ? undefined : showSecret ? client.client_secret : '(set; shown once when added; --json prints it)';
  await printFields([
    ['client_id', client.client_id],
    ['client_secret', secret],
    ['name', client.client_name],
    ['type', client.token_endpoint_auth_method === 'none' ? 'public (PKCE)' : 'confidential'],
    ['application', client.application_type],
    ['auth_method', client.token_endpoint_auth_method],
    ['redirect_uris', client.redirect_uris],
    ['post_logout', client.post_logout_redirect_uris],
    ['grant_types', client.grant_types],
    ['response_types', client.response_types],
    ['scope', client.scope],
    ['token_format', client.access_token_format],
    ['skip_consent', client.skip_consent],
    ['jwks_uri', client.jwks_uri],
    ['require_par', client.require_pushed_authorization_requests],
    ['request_object_alg', client.request_object_signing_alg],
    ['dpop_bound', client.dpop_bound_access_tokens],
    ['subject_type', client.subject_type],
    ['sector_uri', client.sector_identifier_uri],
    ['registered', registeredAt(client)],
    ['backchannel_logout', client.backchannel_logout_uri],
    ['frontchannel_logout', client.frontchannel_logout_uri],
    ['refresh_reuse', client.refresh_token_reuse_interval === undefined ? undefined : `${client.refresh_token_reuse_interval}s`],
    ['preset', client.preset],
    ['access_token_claims', client.access_token_claims],
    ['id_token_claims', client.id_token_claims],
    ['userinfo_claims', client.userinfo_claims],
    ['access_token_extra', client.access_token_extra && JSON.stringify(client.access_token_extra)],
    ['id_token_extra', client.id_token_extra && JSON.stringify(client.id_token_extra)],
    ['refresh_format', client.refresh_token_format],
    ['web_origins', client.web_origins],
  ]);
}

interface UpdateFlags extends AddFlags {
  addRedirectUri?: string[];
  removeRedirectUri?: string[];
  addPostLogoutRedirectUri?: string[];
  removePostLogoutRedirectUri?: string[];
  addGrant?: string[];
  removeGrant?: string[];
  rotateSecret?: boolean;
}

/** `client add` flags in data form (shared by `client update`). */
async function addInput(flags: AddFlags): Promise<ClientAddInput> {
  return {
    id: flags.id, secret: flags.secret, public: flags.public, redirectUris: flags.redirectUri, grants: flags.grant, responseTypes: flags.responseType,
    scope: flags.scope, name: flags.name, postLogoutRedirectUris: flags.postLogoutRedirectUri, authMethod: flags.authMethod,
    tokenFormat: flags.tokenFormat, skipConsent: flags.skipConsent, native: flags.native, jwksUri: flags.jwksUri,
    requirePar: flags.requirePar, requestObjectAlg: flags.requestObjectAlg,
    dpopBound: flags.dpopBound,
    subjectType: flags.subjectType, sectorIdentifierUri: flags.sectorIdentifierUri,
    backchannelLogoutUri: flags.backchannelLogoutUri, frontchannelLogoutUri: flags.frontchannelLogoutUri,
    refreshReuseInterval: flags.refreshReuseInterval,
    accessTokenClaims: flags.accessTokenClaim, idTokenClaims: flags.idTokenClaim, userinfoClaims: flags.userinfoClaim,
    accessTokenExtra: flags.accessTokenExtra, idTokenExtra: flags.idTokenExtra, preset: flags.preset,
    refreshTokenFormat: flags.refreshTokenFormat, webOrigins: flags.webOrigin,
    ...(flags.jwks !== undefined ? { jwks: await readJwks(flags.jwks) } : {}),
  };
}

async function add(flags: AddFlags): Promise<void> {
  const [{ connect }, { missingClientInput }, prompts, out, check] = await Promise.all([
    import('../app/connect.js'), import('../admin/clients.js'), import('./prompts.js'), import('./output.js'), import('../admin/validate.js'),
  ]);
  const input = await addInput(flags);
  for (const missing of missingClientInput(input)) {
    if (missing === '--redirect-uri') {
      const uri = await prompts.ask(missing, {
        message: 'Redirect URI (where the OP sends the browser back)', default: 'http://localhost:3000/callback',
        validate: prompts.validator((v) => check.redirectUri(v)),
      });
      input.redirectUris = [uri];
    }
  }
  const { result } = await connect({ ...dataTarget(flags), onSeed: out.reportSeed }).run('client.add', input);
  if (flags.json) return out.printJson(result);
  if (result.unchanged) return out.say(`client ${result.client.client_id} unchanged (it exists with these options already)`);
  await printClient(result.client, true);
  const kind = result.client.token_endpoint_auth_method === 'none' ? 'public client' : 'client';
  await out.say(`${kind} ${result.client.client_id} added${result.generated.secret ? '; its secret is shown only this once' : ''}`);
}

async function update(id: string, flags: UpdateFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ ...dataTarget(flags), onSeed: out.reportSeed }).run('client.update', {
    ...(await addInput(flags)), id,
    addRedirectUris: flags.addRedirectUri, removeRedirectUris: flags.removeRedirectUri,
    addPostLogoutRedirectUris: flags.addPostLogoutRedirectUri, removePostLogoutRedirectUris: flags.removePostLogoutRedirectUri,
    addGrants: flags.addGrant, removeGrants: flags.removeGrant, rotateSecret: flags.rotateSecret,
  });
  if (flags.json) return out.printJson(result);
  await printClient(result.client, result.generated.secret);
  await out.say(`client ${result.client.client_id} updated${result.generated.secret ? '; its new secret is shown only this once' : ''}`);
}

async function list(flags: CommonFlags): Promise<void> {
  const [{ connect }, out] = await Promise.all([import('../app/connect.js'), import('./output.js')]);
  const { result } = await connect({ ...dataTarget(flags) }).run('client.list', {});
  if (flags.json) return out.printJson(result);
  await out.printTable(
    ['CLIENT_ID', 'TYPE', 'AUTH METHOD', 'GRANTS', 'REDIRECT URIS'],
    result.map((c) => [
      c.client_id,
      `${c.token_endpoint_auth_method === 'none' ? 'public' : 'confidential'}${c.registration_access_token_hash === undefined ? '' : ' (registered dynamically)'}`,
      c.token_endpoint_auth_method,
      c.grant_types.join(','), c.redirect_uris.join(' '),
    ]),
    'No clients yet: dev-op client add --redirect-uri http://localhost:3000/callback',
  );
}

async function show(id: string | undefined, flags: CommonFlags): Promise<void> {
  const [{ connect }, out, prompts] = await Promise.all([import('../app/connect.js'), import('./output.js'), import('./prompts.js')]);
  const clientId = id ?? (await prompts.ask('ID', { message: 'Client ID' }));
  const { result } = await connect({ ...dataTarget(flags) }).run('client.show', { id: clientId });
  if (flags.json) return out.printJson(result);
  await printClient(result, false);
}

async function remove(id: string | undefined, flags: CommonFlags): Promise<void> {
  const [{ connect }, out, prompts] = await Promise.all([import('../app/connect.js'), import('./output.js'), import('./prompts.js')]);
  const clientId = id ?? (await prompts.ask('ID', { message: 'Client ID to remove' }));
  const { result } = await connect({ ...dataTarget(flags) }).run('client.remove', { id: clientId });
  if (flags.json) return out.printJson(result);
  await out.say(`client ${result.removed} removed`);
}

/** The options of `client add`, also taken by `client update` (there, each one replaces that setting). */
function clientOptions(command: Command): Command {
  return command
    .option('--secret <secret>', 'client_secret (default: generated, 256 bits)')
    .option('--public', 'a public client (SPA, native app): no secret, PKCE required')
    .option('--redirect-uri <uri>', 'allowed redirect URI (repeatable; required for authorization_code)', collect)
    .option('--grant <type>', 'grant type (repeatable; default: authorization_code + refresh_token)', collect)
    .option('--response-type <type>', 'response type, e.g. code, "code id_token", id_token (repeatable; default: code)', collect)
    .option('--scope <scopes>', 'extra scopes the client may request, space-separated (e.g. "api:read api:write")')
    .option('--name <name>', 'client name shown on the login and consent pages')
    .option('--post-logout-redirect-uri <uri>', 'allowed post-logout redirect URI (repeatable)', collect)
    .option('--auth-method <method>', 'token_endpoint_auth_method (default client_secret_basic; none with --public)')
    .addOption(new Option('--token-format <format>', 'access token format').choices(['jwt', 'opaque']))
    .option('--skip-consent', 'never show the consent page for this client')
    .option('--native', 'a native app (application_type native): http://127.0.0.1 and http://[::1] redirect URIs match on any port (RFC 8252 7.3)')
    .option('--jwks-uri <url>', 'private_key_jwt: where the client publishes its public keys')
    .option('--jwks <file|json>', 'private_key_jwt: the client\'s public JWK Set, inline or a file')
    .option('--require-par', 'only pushed authorization requests (RFC 9126 require_pushed_authorization_requests)')
    .option('--request-object-alg <alg>', 'the one alg its request objects must use (request_object_signing_alg), e.g. RS256, HS256')
    .option('--dpop-bound', 'dpop_bound_access_tokens: every token request must carry a DPoP proof (RFC 9449 5.2)')
    .addOption(new Option('--subject-type <type>', 'sub the client sees: the user\'s own (public) or its own per user (pairwise, OIDC Core 8.1)').choices(['public', 'pairwise']))
    .option('--sector-identifier-uri <url>', 'pairwise: a JSON array of the client\'s redirect URIs; its host is the sector (needed when they span hosts)')
    .option('--backchannel-logout-uri <uri>', 'OIDC Back-Channel Logout: where dev-op POSTs a logout token when the user signs out')
    .option('--frontchannel-logout-uri <uri>', 'OIDC Front-Channel Logout: loaded in an iframe (with iss and sid) on the signed-out page')
    .option('--refresh-reuse-interval <duration>', 'grace period (e.g. 2s; 0 off) in which a rotated refresh token may be used again')
    .option('--access-token-claim <claim>', 'copy this user claim into the access token (repeatable; replaces the list on update)', collect)
    .option('--id-token-claim <claim>', 'copy this user claim into the ID token (repeatable)', collect)
    .option('--userinfo-claim <claim>', 'return this user claim at userinfo whatever the scopes (repeatable)', collect)
    .option('--access-token-extra <name=value>', 'add a claim to the access token; value may use {{user.<claim>}}, {{client.client_id}} (repeatable)', collect)
    .option('--id-token-extra <name=value>', 'add a claim to the ID token; same template language (repeatable)', collect)
    .addOption(new Option('--preset <idp>', 'shape tokens like a production IdP').choices(PRESET_NAMES))
    .addOption(new Option('--refresh-token-format <format>', 'refresh tokens as signed JWTs (keycloak-js decodes them; default with --preset keycloak)').choices(['opaque', 'jwt']))
    .option('--web-origin <origin>', 'an origin whose credentialed requests (credentials: include) the token endpoint allows; + for the redirect URIs\' origins (repeatable)', collect);
}

export function clientCommand() {
  return group('client', 'manage OAuth clients (relying parties)',
    clientOptions(leaf('add', 'register a client; prints it (a generated secret only this once)')
      .option('--id <id>', 'client_id (default: generated)'))
      .addHelpText('after', examples(
        'dev-op client add --id web --secret s3cret --redirect-uri http://localhost:3000/cb --grant authorization_code --grant refresh_token',
        'dev-op client add --public --redirect-uri http://localhost:5173/callback --name "My SPA"',
        'dev-op client add --id svc --grant client_credentials --scope "api:read api:write"',
        'dev-op client add --id cli --public --native --redirect-uri http://127.0.0.1/callback',
        'dev-op client add --id hybrid --redirect-uri http://localhost:3000/cb --response-type code --response-type "code id_token"',
      ))
      .action(action(add)),
    clientOptions(leaf('update', 'change a client in place (what it was issued stays valid); prints it').argument('<id>', 'client_id'))
      .option('--no-skip-consent', 'show the consent page again')
      .option('--no-require-par', 'accept plain authorization requests again')
      .option('--no-dpop-bound', 'accept token requests without a DPoP proof again')
      .option('--add-redirect-uri <uri>', 'allow one more redirect URI (repeatable)', collect)
      .option('--remove-redirect-uri <uri>', 'stop allowing a redirect URI (repeatable)', collect)
      .option('--add-post-logout-redirect-uri <uri>', 'allow one more post-logout redirect URI (repeatable)', collect)
      .option('--remove-post-logout-redirect-uri <uri>', 'stop allowing a post-logout redirect URI (repeatable)', collect)
      .option('--add-grant <type>', 'allow one more grant type (repeatable)', collect)
      .option('--remove-grant <type>', 'stop allowing a grant type (repeatable)', collect)
      .option('--rotate-secret', 'a new generated secret, printed this once (the old one stops working)')
      .addHelpText('after', examples(
        'dev-op client update app --add-redirect-uri http://localhost:5173/callback',
        'dev-op client update web --remove-redirect-uri http://localhost:3000/old --name "Web app"',
        'dev-op client update svc --add-grant client_credentials --scope "api:read api:write api:admin"',
        'dev-op client update web --rotate-secret --json | jq -r .client.client_secret',
        'dev-op client update web --access-token-claim roles --id-token-claim groups',
        "dev-op client update web --access-token-extra tenant=acme --access-token-extra 'email_upper={{user.email}}'",
        'dev-op client update web --preset keycloak',
      ))
      .action(action(update)),
    leaf('list', 'list clients')
      .addHelpText('after', examples('dev-op client list', 'dev-op client list --json | jq -r ".[].client_id"'))
      .action(action(list)),
    leaf('show', 'show one client')
      .argument('[id]', 'client_id')
      .addHelpText('after', examples('dev-op client show web', 'dev-op client show web --json | jq -r .client_secret'))
      .action(action(show)),
    leaf('remove', 'remove a client')
      .argument('[id]', 'client_id')
      .addHelpText('after', examples('dev-op client remove web'))
      .action(action(remove)),
  ).addHelpText('after', examples('dev-op client add --redirect-uri http://localhost:3000/callback', 'dev-op client list'));
}
