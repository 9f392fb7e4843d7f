import type { Client, User } from '../../store/types.js';
import { initials } from '../../views/page-helpers.js';
import type { ViewModel } from '../../views/render.js';
import { STANDARD_SCOPES } from '../checks/scope.js';
import type { Ctx, Middleware, Provider } from '../context.js';
import { csrfToken } from '../csrf.js';
import { pageSecurityHeaders } from '../middleware/security-headers.js';
import { PLAYGROUND_CLIENT_ID, ineligibility, playgroundCallback } from '../playground/client.js';
import { describeScope } from '../scope-descriptions.js';
import { loadSession } from '../session.js';
import { discoveryDocument } from './discovery.js';

/** Discovery members that are URLs worth a copy button, in the order a developer looks for them. */
const ENDPOINT_ORDER = [
  'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'end_session_endpoint',
  'introspection_endpoint', 'revocation_endpoint', 'device_authorization_endpoint',
  'pushed_authorization_request_endpoint', 'registration_endpoint',
];

function endpoints(metadata: Record<string, unknown>): ViewModel[] {
  const names = Object.keys(metadata).filter((k) => (k.endsWith('_endpoint') || k.endsWith('_uri')) && typeof metadata[k] === 'string');
  const rank = (k: string) => (ENDPOINT_ORDER.includes(k) ? ENDPOINT_ORDER.indexOf(k) : ENDPOINT_ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).map((name) => ({ name, url: String(metadata[name]) }));
}

function clientRow(op: Provider, c: Client): ViewModel {
  return {
    id: c.client_id,
    name: c.client_name ?? '',
    kind: c.token_endpoint_auth_method === 'none' ? 'public' : 'confidential',
    authMethod: c.token_endpoint_auth_method,
    redirectUris: c.redirect_uris,
    grants: c.grant_types.join(', '),
    builtin: c.client_id === PLAYGROUND_CLIENT_ID,
    // RFC 7591: the client registered itself at the registration endpoint.
    registered: c.registration_access_token_hash !== undefined,
    playground: ineligibility(op, c) === undefined,
  };
}

function userRow(u: User): ViewModel {
  const name = typeof u.claims.name === 'string' ? u.claims.name : '';
  return {
    username: u.username,
    name,
    email: typeof u.claims.email === 'string' ? u.claims.email : '',
    sub: u.sub,
    hasPassword: u.password !== undefined,
    initials: initials(name || u.username),
  };
}

/** The playground form: the built-in client first, then every client, usable or not (and why). */
function playgroundForm(op: Provider, ctx: Ctx, clients: Client[]): ViewModel {
  const options: ViewModel[] = [{ id: PLAYGROUND_CLIENT_ID, label: 'dev-op playground (built-in)', disabled: false }];
  for (const c of clients) {
    if (c.client_id === PLAYGROUND_CLIENT_ID) continue;
    const reason = ineligibility(op, c);
    const label = c.client_name ? `${c.client_name} (${c.client_id})` : c.client_id;
    options.push({ id: c.client_id, label: reason ? `${label} — ${reason}` : label, disabled: reason !== undefined });
  }
  return {
    action: `${op.config.issuer}/playground/start`,
    csrf: csrfToken(op, ctx, 'playground'),
    callback: playgroundCallback(op),
    clients: options,
    scopes: STANDARD_SCOPES.map((name) => ({
      name, description: describeScope(name), checked: name === 'openid' || name === 'profile' || name === 'email',
    })),
  };
}

/** GET / — what is running, where its endpoints are, who can sign in, and the playground. */
export function home(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    async function renderHome(ctx) {
      // The same document /.well-known/openid-configuration serves, built in-process.
      const metadata = discoveryDocument(op);
      const [clients, users, session, panels] = await Promise.all([
        op.store.listClients(), op.store.listUsers(), loadSession(op, ctx), op.homePanels?.(),
      ]);
      const me = session ? await op.store.getUserBySub(session.record.accountId) : undefined;
      const issuer = op.config.issuer;
      ctx.type = 'html';
      ctx.body = await op.views.render('home', {
        issuer,
        discoveryUrl: `${issuer}/.well-known/openid-configuration`,
        endpoints: endpoints(metadata),
        algs: ((metadata.id_token_signing_alg_values_supported as string[] | undefined) ?? []).join(', '),
        grantTypes: ((metadata.grant_types_supported as string[] | undefined) ?? []).join(', '),
        dpopAlgs: ((metadata.dpop_signing_alg_values_supported as string[] | undefined) ?? []).join(', '),
        clients: clients.map((c) => clientRow(op, c)),
        users: users.map(userRow),
        session: session
          ? {
              name: (typeof me?.claims.name === 'string' ? me.claims.name : '') || me?.username || session.record.accountId,
              username: me?.username ?? session.record.accountId,
              logoutAction: issuer + op.config.routes.end_session,
            }
          : undefined,
        playground: playgroundForm(op, ctx, clients),
        panels,
      });
    },
  ];
}
