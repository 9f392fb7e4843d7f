import type { RpClient } from '../rp/client.js';
import type { CommonFlags } from './common.js';
import type { Printable } from './print-tokens.js';

/**
 * Tokens from the shell, through the server running on the data file and over real HTTP (src/rp,
 * oauth4webapi) like any app: `token get` (client credentials with the stored secret) and
 * `token refresh` (the last `dev-op login`'s refresh token). Each prints the token alone, so that
 * `$(dev-op token get --client svc)` is the token.
 */

export interface GetFlags extends CommonFlags {
  client: string;
  scope?: string;
  resource?: string[];
}

export interface RefreshFlags extends CommonFlags {
  print?: Printable;
}

/** The running server's metadata, found through the data file's owner file, and how to reach it (pinned TLS for --https). */
async function serverMetadata(data: string, command: string) {
  const [{ discoverRunning }, { ConfigError }] = await Promise.all([import('./login-flow.js'), import('../errors/app-errors.js')]);
  const running = await discoverRunning(data);
  if (!running) throw new ConfigError(`no dev-op server is running on ${data}; ${command} asks it for tokens: start one first (dev-op start --detach)`);
  return running;
}

export async function tokenGet(flags: GetFlags): Promise<void> {
  const [{ connect }, { ConfigError }, { authProblem }, { clientCredentials }, check] = await Promise.all([
    import('../app/connect.js'), import('../errors/app-errors.js'), import('../rp/client.js'), import('../rp/token-grants.js'),
    import('../admin/validate.js'),
  ]);
  const scope = flags.scope === undefined ? undefined : check.scope(flags.scope);
  // Both at once (each is a round trip to the server); no server running is the error to report first.
  const [found, shown] = await Promise.allSettled([
    serverMetadata(flags.data, 'dev-op token get'), connect({ data: flags.data }).run('client.show', { id: flags.client }),
  ]);
  if (found.status === 'rejected') throw found.reason;
  if (shown.status === 'rejected') throw shown.reason;
  const { as, transport } = found.value;
  const client = shown.value.result;
  if (!client.grant_types.includes('client_credentials')) {
    throw new ConfigError(`client ${client.client_id} may not use the client_credentials grant (its grants: ${client.grant_types.join(', ') || 'none'}); allow it with dev-op client update ${client.client_id} --grant client_credentials`);
  }
  const problem = authProblem(client);
  if (problem) throw new ConfigError(`dev-op token get cannot authenticate as client ${client.client_id}: ${problem}`);
  const tokens = await clientCredentials(as, client, { scope, resource: flags.resource }, transport);
  if (flags.json) return (await import('./output.js')).printJson(tokens);
  process.stdout.write(`${tokens.access_token}\n`);
}

/** The client the login used, with its current secret; a client unknown to the data file (an --issuer login) as a public one. */
async function loginClient(data: string, id: string): Promise<RpClient> {
  const [{ connect }, { AppError }] = await Promise.all([import('../app/connect.js'), import('../errors/app-errors.js')]);
  try {
    return (await connect({ data }).run('client.show', { id })).result;
  } catch (err) {
    if (err instanceof AppError && err.code === 'ERR_NOT_FOUND') return { client_id: id, token_endpoint_auth_method: 'none' };
    throw err;
  }
}

export async function tokenRefresh(flags: RefreshFlags): Promise<void> {
  const [{ readLogin, saveLogin, loginRecordPath }, { ConfigError }, { findServer }, { refreshTokens }] = await Promise.all([
    import('../app/login-record.js'), import('../errors/app-errors.js'), import('./login-flow.js'), import('../rp/token-grants.js'),
  ]);
  const last = await readLogin(flags.data);
  if (!last) throw new ConfigError(`no saved login for ${flags.data} (${loginRecordPath(flags.data)}); run dev-op login first`);
  const refreshToken = last.tokens.refresh_token;
  if (typeof refreshToken !== 'string') {
    throw new ConfigError('the last dev-op login got no refresh token; log in again with --scope "openid profile email offline_access"');
  }
  const server = await findServer(flags.data, last.issuer);
  const fresh = await refreshTokens(server.as, await loginClient(flags.data, last.client_id), refreshToken, server.transport);
  // RFC 6749 6: the answer may leave out a refresh token (the old one stays valid) and an ID token.
  const tokens = { ...last.tokens, ...fresh };
  await saveLogin(flags.data, { ...last, tokens, received_at: new Date().toISOString() });
  const { printOne, printTokens } = await import('./print-tokens.js');
  if (flags.print) return printOne(tokens, flags.print);
  await printTokens(tokens, undefined, flags.json === true);
}
