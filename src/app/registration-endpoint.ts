import type { OperationContext, OperationInput, OperationResult } from '../admin/operations.js';
import type { Client } from '../store/types.js';
import { DEFAULTS } from '../config/defaults.js';
import { UsageError } from '../errors/app-errors.js';
import {
  InvalidClientMetadata, InvalidRedirectUri, InvalidToken, MissingToken, UnsupportedMediaType,
} from '../errors/oauth-errors.js';
import type { Ctx, Middleware, Provider } from '../provider/context.js';
import { readBody } from '../provider/middleware/body.js';
import { cors } from '../provider/middleware/cors.js';
import { noStore } from '../provider/middleware/no-store.js';
import { clientInput, isClientMetadataName, type ClientMetadata } from './client-metadata.js';

/**
 * Dynamic client registration (RFC 7591) at `/reg` and client management (RFC 7592) at
 * `/reg/<client_id>`. Mounted by the app beside the OP (the OP knows no admin operations): the
 * metadata goes through the very operation `client add` runs, so it is validated exactly alike.
 */

/** RFC 6750 2.1: the Bearer token of the Authorization header, if any. */
function bearer(ctx: Ctx): string | undefined {
  const header = ctx.get('authorization');
  if (!header) return undefined;
  const match = /^Bearer +([^ ]+)$/i.exec(header);
  if (!match) throw new InvalidToken('the Authorization header must be "Bearer <token>"');
  return match[1]!;
}

/** RFC 7591 3.1: the body is a JSON object of client metadata. */
async function metadataBody(ctx: Ctx): Promise<Record<string, unknown>> {
  if (!ctx.is('application/json')) throw new UnsupportedMediaType('client metadata is sent as application/json (RFC 7591 3.1)');
  let body: unknown;
  try {
    body = JSON.parse(await readBody(ctx, DEFAULTS.maxBodyBytes));
  } catch {
    throw new InvalidClientMetadata('the body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidClientMetadata('the body must be a JSON object of client metadata');
  return body as Record<string, unknown>;
}

/** `client add` flags as the metadata names a registering client used. */
const METADATA_OF_FLAG: Readonly<Record<string, string>> = {
  '--id': 'client_id', '--secret': 'client_secret', '--public': 'token_endpoint_auth_method none', '--redirect-uri': 'redirect_uris',
  '--post-logout-redirect-uri': 'post_logout_redirect_uris', '--grant': 'grant_types', '--response-type': 'response_types',
  '--auth-method': 'token_endpoint_auth_method', '--scope': 'scope', '--name': 'client_name', '--token-format': 'access_token_format',
  '--jwks-uri': 'jwks_uri', '--jwks': 'jwks', '--subject-type': 'subject_type', '--sector-identifier-uri': 'sector_identifier_uri',
};
const FLAG = new RegExp(`(${Object.keys(METADATA_OF_FLAG).sort((a, b) => b.length - a.length).join('|')})(?![\\w-])`, 'g');

/** RFC 7591 3.2.2: `client add`'s refusal, in metadata names, as invalid_redirect_uri or invalid_client_metadata. */
function registrationError(err: UsageError): Error {
  const description = err.message.replace(FLAG, (flag) => METADATA_OF_FLAG[flag] ?? flag);
  return /--redirect-uri(?![\w-])/.test(err.message) ? new InvalidRedirectUri(description) : new InvalidClientMetadata(description);
}

const LISTS: ReadonlySet<string> = new Set(['redirect_uris', 'post_logout_redirect_uris', 'grant_types', 'response_types']);

/**
 * The metadata as `client add` input. RFC 7591 2: metadata the server does not understand is
 * ignored. `skip_consent` (a dev-op extension) is not taken from a client that registers itself:
 * consent is the user's protection from clients anyone can register.
 */
function registrationInput(op: Provider, body: Record<string, unknown>): ReturnType<typeof clientInput> {
  const known: ClientMetadata = {};
  for (const [name, value] of Object.entries(body)) {
    if (!isClientMetadataName(name) || name === 'skip_consent') continue;
    // RFC 7591 2: these are JSON arrays (`client add` also takes one value for a single-item list).
    if (LISTS.has(name) && !Array.isArray(value)) throw new InvalidClientMetadata(`${name} must be a JSON array of strings`);
    Object.assign(known, { [name]: value });
  }
  if (known.subject_type === 'pairwise' && !op.config.features.pairwiseSubjects.enabled) {
    throw new InvalidClientMetadata('subject_type pairwise is switched off on this server (subject_types_supported)');
  }
  try {
    return clientInput(known);
  } catch (err) {
    if (err instanceof UsageError) throw new InvalidClientMetadata(err.message);
    throw err;
  }
}

/** RFC 7591 3.2.1 / RFC 7592 3: the client's metadata, its configuration URI and (once) its token. */
function clientInformation(op: Provider, client: Client, registrationAccessToken?: string): Record<string, unknown> {
  const { registration_access_token_hash: _hash, ...metadata } = client;
  return {
    ...metadata,
    // A secret that never expires (RFC 7591 3.2.1: 0).
    ...(client.client_secret !== undefined ? { client_secret_expires_at: 0 } : {}),
    ...(registrationAccessToken !== undefined ? { registration_access_token: registrationAccessToken } : {}),
    registration_client_uri: `${op.config.issuer}${op.config.routes.registration}/${encodeURIComponent(client.client_id)}`,
  };
}

type EndpointOperation = 'registration.add' | 'registration.replace' | 'client.remove';

/** Run one of admin's operations (durably, as the CLI's), with `client add`'s refusals in RFC 7591 terms. */
async function run<N extends EndpointOperation>(operations: OperationContext, name: N, input: OperationInput<N>): Promise<OperationResult<N>> {
  const { runOperation } = await import('../admin/operations.js');
  try {
    return await runOperation(operations, name, input);
  } catch (err) {
    if (err instanceof UsageError) throw registrationError(err);
    throw err;
  }
}

/** `POST /reg`: RFC 7591 3. */
export function registrationEndpoint(op: Provider, operations: OperationContext): Middleware[] {
  return [
    // Mostly called from server code; a browser app registering itself is preflighted like at the token endpoint.
    cors('POST'),
    noStore,
    async function checkInitialAccessToken(ctx, next) {
      if (!op.config.features.registration.initialAccessToken) return next();
      const presented = bearer(ctx);
      if (presented === undefined) throw new MissingToken('an initial access token is required to register a client (dev-op registration token)');
      const { isInitialAccessToken } = await import('../admin/registration.js');
      if (!(await isInitialAccessToken(operations, presented))) throw new InvalidToken('the initial access token is unknown or expired');
      return next();
    },
    async function register(ctx) {
      const input = registrationInput(op, await metadataBody(ctx));
      const { client, registrationAccessToken } = await run(operations, 'registration.add', input);
      ctx.state.clientId = client.client_id;
      ctx.status = 201;
      ctx.body = clientInformation(op, client, registrationAccessToken);
    },
  ];
}

/** `GET|PUT|DELETE /reg/<client_id>`: RFC 7592 2, with the client's registration access token. */
export function clientConfigurationEndpoint(op: Provider, operations: OperationContext): Middleware[] {
  return [
    cors('GET, PUT, DELETE'),
    noStore,
    async function authenticate(ctx, next) {
      const clientId = ctx.state.route.client_id!;
      ctx.state.clientId = clientId;
      const presented = bearer(ctx);
      if (presented === undefined) throw new MissingToken('the registration access token is required (RFC 7592 2)');
      const { holdsRegistrationToken } = await import('../admin/registration.js');
      const client = await operations.store.getClient(clientId);
      // 7592 2.1: an unknown client and a token of another client alike are 401.
      if (!holdsRegistrationToken(client, presented)) throw new InvalidToken('the registration access token is not valid for this client');
      ctx.state.client = client;
      return next();
    },
    async function manage(ctx) {
      const client = ctx.state.client!;
      if (ctx.method === 'GET') {
        ctx.body = clientInformation(op, client);
        return;
      }
      if (ctx.method === 'DELETE') {
        await run(operations, 'client.remove', { id: client.client_id });
        ctx.status = 204;
        return;
      }
      const body = await metadataBody(ctx);
      // 7592 2.2: the body names the client it replaces.
      if (body.client_id !== client.client_id) throw new InvalidClientMetadata('client_id must be included and be this client\'s');
      const input = registrationInput(op, body);
      const updated = await run(operations, 'registration.replace', { ...input, id: client.client_id });
      ctx.body = clientInformation(op, updated);
    },
  ];
}
