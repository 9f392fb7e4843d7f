import { Option } from 'commander';
import type { ClientAddInput } from '../admin/clients.js';
import type { LoopbackTarget } from '../rp/loopback-redirect.js';
import type { Client } from '../app/data-types.js';
import { action, examples, leaf, withoutStore, type CommonFlags } from './common.js';
import { PRINTABLE, type Printable } from './print-tokens.js';

/**
 * `dev-op login`: the authorization code flow of a native app (RFC 8252), run from the terminal
 * against the server on the data file: a loopback listener, the browser for the login, and the
 * relying party of src/rp (oauth4webapi: PKCE S256, state, nonce and iss checked, the code
 * exchanged, the ID token validated), the tokens printed.
 * Everything beyond commander loads inside the action (main.ts loads every command's definition).
 */

interface LoginFlags extends CommonFlags {
  client?: string;
  scope: string;
  issuer?: string;
  open: boolean;
  timeout: string;
  print?: Printable;
}

/** The client `dev-op login` registers for itself on first use (through the running server). */
const BUILT_IN_CLIENT: ClientAddInput = {
  id: 'dev-op-cli', public: true, native: true, redirectUris: ['http://127.0.0.1/callback'],
  grants: ['authorization_code', 'refresh_token'], name: 'dev-op login',
};

/** The client to log in with: --client, or the built-in one (registered live on first use). */
async function loginClient(data: string, id: string | undefined, live: boolean): Promise<Client> {
  const [{ connect }, { AppError }] = await Promise.all([import('../app/connect.js'), import('../errors/app-errors.js')]);
  const code = (err: unknown) => (err instanceof AppError ? err.code : undefined);
  const show = async () => (await connect({ data }).run('client.show', { id: id ?? BUILT_IN_CLIENT.id! })).result;
  try {
    return await show();
  } catch (err) {
    if (id !== undefined || code(err) !== 'ERR_NOT_FOUND') throw err;
  }
  if (!live) {
    // No server to register it through: assume it is registered there (a seed); the preflight checks.
    return (await import('../admin/clients.js')).buildClient(BUILT_IN_CLIENT).client;
  }
  try {
    const { result } = await connect({ data }).run('client.add', BUILT_IN_CLIENT);
    await (await import('./output.js')).say(`registered the public native client ${result.client.client_id} for dev-op login`);
    return result.client;
  } catch (err) {
    if (code(err) === 'ERR_ALREADY_EXISTS') return show(); // another dev-op login was first
    throw err;
  }
}

/** What stops this client from running the flow here, as one sentence; undefined if nothing. */
function unusable(client: Client, target: LoopbackTarget | undefined, authMethods: readonly string[]): string | undefined {
  const id = client.client_id;
  if (!client.grant_types.includes('authorization_code')) {
    return `client ${id} may not use the authorization_code grant (its grants: ${client.grant_types.join(', ') || 'none'}), which dev-op login runs; leave out --client to use the built-in one`;
  }
  if (!target) {
    return `client ${id} has no loopback redirect URI for dev-op login to listen on (registered: ${client.redirect_uris.join(', ') || 'none'}); add one, e.g. dev-op client add --public --native --redirect-uri http://127.0.0.1/callback`;
  }
  if (!authMethods.includes(client.token_endpoint_auth_method)) {
    return `client ${id} authenticates with ${client.token_endpoint_auth_method}; dev-op login can use a public client or client_secret_basic / client_secret_post`;
  }
  if (client.token_endpoint_auth_method !== 'none' && !client.client_secret) return `client ${id} has no client_secret to authenticate with`;
  return undefined;
}

async function showUrl(url: URL, open: boolean): Promise<void> {
  process.stderr.write(`Open this URL in a browser to log in:\n${url.href}\n`);
  if (!open) return;
  try {
    const { default: launch } = await import('open');
    await launch(url.href);
  } catch {
    process.stderr.write('dev-op: could not open a browser; open the URL above yourself\n');
  }
}

async function login(flags: LoginFlags): Promise<void> {
  const [{ findServer, preflight, finishLogin }, { listenForCallback, LoginError }, check, { loopbackTarget }, { RP_AUTH_METHODS }, { authorizationRequest }] = await Promise.all([
    import('./login-flow.js'), import('./loopback-callback.js'), import('../admin/validate.js'),
    import('../rp/loopback-redirect.js'), import('../rp/client.js'), import('../rp/authorization-request.js'),
  ]);
  // setTimeout's limit is ~24.8 days; a longer wait is as good as forever.
  const timeoutMs = Math.min(check.ttlSeconds(flags.timeout, '--timeout') * 1000, 2 ** 31 - 1);
  const scope = check.scope(flags.scope) ?? 'openid';
  const server = await findServer(flags.data, flags.issuer);
  const client = await loginClient(flags.data, flags.client, server.live);
  const target = loopbackTarget(client);
  const problem = unusable(client, target, RP_AUTH_METHODS);
  if (problem) throw new LoginError(problem);

  const listener = await listenForCallback(target!);
  try {
    const request = await authorizationRequest(server.as.authorization_endpoint, { clientId: client.client_id, redirectUri: listener.redirectUri, scope });
    if (!server.live) await preflight(server.as, client, listener.redirectUri);
    await showUrl(request.url, flags.open);
    if (process.stderr.isTTY) process.stderr.write(`Waiting for the browser to come back to ${listener.redirectUri} (Ctrl-C to cancel)…\n`);
    const query = await listener.wait(timeoutMs);
    let result: Awaited<ReturnType<typeof finishLogin>>;
    try {
      result = await finishLogin(server.as, client, request, query, server.transport);
    } catch (err) {
      listener.respond({ ok: false, title: 'Login failed', message: err instanceof Error ? err.message : String(err) });
      throw err;
    }
    const who = typeof result.claims?.sub === 'string' ? ` as ${result.claims.sub}` : '';
    listener.respond({ ok: true, title: `Logged in${who}`, message: `dev-op login has the tokens for client ${client.client_id}.` });
    // Kept for `dev-op token refresh`, 0600 next to the data file.
    const { saveLogin } = await import('../app/login-record.js');
    await saveLogin(flags.data, { issuer: server.as.issuer, client_id: client.client_id, tokens: result.tokens, received_at: new Date().toISOString() });
    const { printOne, printTokens } = await import('./print-tokens.js');
    if (flags.print) await printOne(result.tokens, flags.print);
    else await printTokens(result.tokens, result.claims, flags.json === true);
    await (await import('./output.js')).say(`logged in${who} at ${server.as.issuer} (client ${client.client_id})`);
  } finally {
    await listener.close();
  }
}

export function loginCommand() {
  return withoutStore(leaf('login', 'log in through the browser (authorization code flow with PKCE) and print the tokens'))
    .option('--client <id>', 'a client with a loopback redirect URI (default: dev-op-cli, a public native client registered on first use)')
    .option('--scope <scopes>', 'space-separated scopes', 'openid profile email')
    .option('--issuer <url>', 'the server to log in at when none runs on the data file (e.g. a --memory server)')
    .option('--no-open', 'print the URL on stderr instead of opening a browser (SSH, CI)')
    .addOption(new Option('--print <token>', 'print only this token, alone on stdout (for $(dev-op login --print access_token))').choices([...PRINTABLE]))
    .addOption(new Option('--timeout <duration>', 'how long to wait for the browser: 30s, 5m, …').default('5m'))
    .addHelpText('after', examples(
      'dev-op login',
      'dev-op login --scope "openid profile email offline_access" --json | jq -r .access_token',
      'dev-op login --client web --no-open',
      'TOKEN=$(dev-op login --print access_token)',
    ))
    .action(action(login));
}
