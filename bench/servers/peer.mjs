/**
 * node-oidc-provider 9 (the peer), configured to do what dev-op does in each benchmark:
 * - keys: one RS256 key (BENCH_KEY_FILE, a private JWK) — no key generation at start, as dev-op with a stored key;
 * - storage: its default in-memory adapter (the equivalent of `dev-op start --memory`);
 * - client_credentials enabled; resource indicators give the `cc` client RS256 JWT access tokens
 *   for urn:bench:api (node-oidc-provider issues JWT access tokens only for a resource server);
 * - the code-flow client gets the default (opaque) access token for userinfo plus an RS256 ID token;
 * - devInteractions off; its interaction URL /interaction/:uid is answered by a middleware that
 *   logs alice in and grants the requested scopes at once (interactionFinished), so a plain HTTP
 *   client runs the flow: /auth → /interaction/:uid → /auth/:uid → redirect with code.
 * Prints one ready line; SIGTERM stops it.
 */
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';
import { API_RESOURCE, CC, USER, WEB } from '../lib/fixture.mjs';

const key = JSON.parse(readFileSync(process.env.BENCH_KEY_FILE, 'utf8'));
let issuer = 'http://localhost:0';

// The issuer depends on the port: listen first (as dev-op does), then build the provider.
const { createServer } = await import('node:http');
let handler = (_req, res) => { res.statusCode = 503; res.end(); };
const server = createServer((req, res) => handler(req, res));
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
issuer = `http://localhost:${port}`;

const provider = new Provider(issuer, {
  clients: [
    { client_id: CC.id, client_secret: CC.secret, grant_types: ['client_credentials'], redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic', scope: CC.scope },
    { client_id: WEB.id, client_secret: WEB.secret, grant_types: ['authorization_code', 'refresh_token'], redirect_uris: [WEB.redirectUri], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic' },
  ],
  jwks: { keys: [key] },
  cookies: { keys: ['bench-cookie-key-0123456789'] },
  scopes: ['openid', 'offline_access', 'profile', 'email', CC.scope],
  claims: { openid: ['sub'], profile: ['name', 'given_name', 'family_name', 'preferred_username'], email: ['email', 'email_verified'] },
  async findAccount(_ctx, id) {
    return { accountId: id, claims: () => ({ sub: id, ...USER.claims }) };
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx, client) => (client.clientId === CC.id ? API_RESOURCE : undefined),
      useGrantedResource: () => false,
      getResourceServerInfo: () => ({ scope: CC.scope, audience: API_RESOURCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
    },
  },
});
provider.proxy = false;

// The auto-approving interaction: login as alice and grant what was asked, no page.
provider.use(async (ctx, next) => {
  if (ctx.method !== 'GET' || !ctx.path.startsWith('/interaction/')) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const grant = new provider.Grant({ accountId: USER.sub, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: USER.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
});

handler = provider.callback();
process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ event: 'ready', port, issuer })}\n`);
