import type { DevOp } from '../app/dev-op.js';
import type { Client } from '../app/data-types.js';

/** How a client authenticates at the token endpoint: its secret, its keys, or none (a public client uses PKCE). */
function credentials(c: Client, highlight: (s: string) => string): string {
  const method = c.token_endpoint_auth_method;
  if (method === 'none') return '  (public, PKCE)';
  if (method === 'private_key_jwt') return `  (private_key_jwt${c.jwks_uri ? `, keys at ${c.jwks_uri}` : ''})`;
  const secret = c.client_secret ? `  secret ${highlight(c.client_secret)}` : '';
  return method === 'client_secret_basic' ? secret : `${secret}  (${method})`;
}

/** The human banner `dev-op start` prints: everything needed to point an app at the OP. */
export async function printBanner(server: DevOp, location: string): Promise<void> {
  const { colours } = await import('./output.js');
  const { out: chalk } = await colours();
  await server.keysReady; // so that `seeded` says whether a key was made
  const label = (s: string) => chalk.dim(s.padEnd(11));
  const clients = await server.clients.list();
  const users = await server.users.list();
  const issuers = await server.issuers.list();
  const { seeded } = server;
  const created = [seeded.key && `${seeded.key.alg} signing key`, seeded.client && 'default client', seeded.user && 'default user'].filter(Boolean);
  const lines = [
    '',
    `${chalk.bold.green('dev-op')} OpenID Provider is ready`,
    '',
    `  ${label('Issuer')}${chalk.cyan(server.issuer)}`,
    `  ${label('Discovery')}${server.issuer}/.well-known/openid-configuration`,
    ...issuers.map((named, i) => `  ${label(i === 0 ? 'Issuers' : '')}${chalk.cyan(named.issuer ?? named.name)}  ${chalk.dim(`(-i ${named.name})`)}`),
    ...(server.tls?.ca ? [
      `  ${label('CA')}${server.tls.ca.path}`,
      `  ${label('')}${chalk.dim(`trust it: NODE_EXTRA_CA_CERTS=${server.tls.ca.path}; in a browser, import it as an authority`)}`,
    ] : []),
    `  ${label('Data')}${location}${created.length ? chalk.yellow(`  (created: ${created.join(', ')})`) : ''}`,
    '',
    ...clients.slice(0, 5).map((c, i) => {
      const secret = credentials(c, chalk.yellow);
      const redirect = c.redirect_uris[0] ? `  redirect ${c.redirect_uris[0]}` : '';
      return `  ${label(i === 0 ? 'Clients' : '')}${chalk.bold(c.client_id)}${secret}${redirect}`;
    }),
    ...(clients.length > 5 ? [`  ${label('')}… and ${clients.length - 5} more (dev-op client list)`] : []),
    ...users.slice(0, 5).map((u, i) => `  ${label(i === 0 ? 'Users' : '')}${chalk.bold(u.username)}${u.has_password ? '  (password set)' : '  (no password: one click)'}`),
    ...(users.length > 5 ? [`  ${label('')}… and ${users.length - 5} more (dev-op user list)`] : []),
    '',
    chalk.dim('  Press Ctrl+C to stop.'),
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
