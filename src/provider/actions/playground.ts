import { InvalidRequest } from '../../errors/oauth-errors.js';
import { authorizationRequest } from '../../rp/authorization-request.js';
import { readAuthorizationResponse, type AuthorizationOutcome } from '../../rp/authorization-response.js';
import { discover } from '../../rp/discover.js';
import { RpError } from '../../rp/rp-error.js';
import { explainError } from '../../views/page-helpers.js';
import type { ViewModel } from '../../views/render.js';
import { parseScope, STANDARD_SCOPES } from '../checks/scope.js';
import type { Ctx, Middleware, Provider } from '../context.js';
import { csrfToken, verifyCsrf } from '../csrf.js';
import { parseParams } from '../middleware/body.js';
import { sameOriginPost } from '../middleware/same-origin.js';
import { pageSecurityHeaders } from '../middleware/security-headers.js';
import { PLAYGROUND_CLIENT_ID, ensurePlaygroundClient, ineligibility, playgroundCallback } from '../playground/client.js';
import { loopbackTransport } from '../playground/loopback.js';
import { present } from '../playground/present.js';
import { redeem } from '../playground/relying-party.js';
import { saveRun, takeRun } from '../playground/run-cookie.js';

/** The scopes the home page offers as checkboxes (scope_<name>=1); more go in `extra_scope`. */
const PROMPTS = new Set(['', 'login', 'consent', 'select_account']);

async function chosenClient(op: Provider, clientId: string | undefined) {
  if (!clientId || clientId === PLAYGROUND_CLIENT_ID) return ensurePlaygroundClient(op);
  const client = await op.store.getClient(clientId);
  if (!client) throw new InvalidRequest(`client ${clientId} is not registered`).withHint('pick a client on the home page');
  const reason = ineligibility(op, client);
  if (reason) {
    throw new InvalidRequest(`client ${clientId} cannot run in the playground: ${reason}`).withHint(
      `register the playground callback ${playgroundCallback(op)} as one of its redirect URIs; run \`dev-op client show ${clientId}\``,
    );
  }
  return client;
}

/**
 * POST /playground/start — act as a relying party (src/rp): a fresh state, nonce and PKCE
 * verifier in a signed cookie, then a redirect to the real authorization endpoint.
 */
export function playgroundStart(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    sameOriginPost(op),
    parseParams,
    async function startRun(ctx) {
      verifyCsrf(op, ctx, 'playground');
      const p = ctx.state.params;
      const client = await chosenClient(op, p.client_id);
      const scope = [...new Set([...STANDARD_SCOPES.filter((s) => p[`scope_${s}`] === '1'), ...parseScope(p.extra_scope)])].join(' ');
      const prompt = p.prompt ?? '';
      if (!PROMPTS.has(prompt)) throw new InvalidRequest(`prompt ${prompt} is not offered by the playground`);
      const request = await authorizationRequest(op.config.issuer + op.config.routes.authorization, {
        clientId: client.client_id, redirectUri: playgroundCallback(op), scope, prompt,
      });
      saveRun(op, ctx, { clientId: client.client_id, state: request.state, nonce: request.nonce, verifier: request.verifier, scope });
      ctx.state.clientId = client.client_id;
      ctx.status = 303;
      ctx.redirect(request.url.href);
    },
  ];
}

/** GET /playground/callback — the redirect_uri: check iss and state, redeem the code, show what came back. */
export function playgroundCallbackAction(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    parseParams,
    async function finishRun(ctx) {
      const run = takeRun(op, ctx);
      if (!run) {
        throw new InvalidRequest('no playground run is waiting in this browser (it finished already or was started elsewhere)')
          .withHint('start a new run from the home page');
      }
      const transport = loopbackTransport(op, ctx);
      const as = await discover(op.config.issuer, { issuer: op.config.issuer, transport });
      let outcome: AuthorizationOutcome;
      try {
        outcome = readAuthorizationResponse(as, run.clientId, new URLSearchParams(ctx.querystring), run.state);
      } catch (err) {
        if (err instanceof RpError) throw new InvalidRequest(err.message).withHint('start a new run from the home page');
        throw err;
      }
      const client = await op.store.getClient(run.clientId);
      if (!client) throw new InvalidRequest(`client ${run.clientId} was removed during the run`);
      ctx.state.clientId = client.client_id;
      const base: ViewModel = {
        client: { id: client.client_id, name: client.client_name ?? client.client_id },
        scope: run.scope,
        again: { action: `${op.config.issuer}/playground/start`, csrf: csrfToken(op, ctx, 'playground'), clientId: client.client_id, scope: run.scope },
      };
      if ('error' in outcome) {
        return render(op, ctx, { ...base, authError: { error: outcome.error, description: outcome.description ?? '', explanation: explainError(outcome.error) } });
      }
      const redeemed = await redeem(as, client, { ...run, redirectUri: playgroundCallback(op) }, outcome.code, transport);
      const idToken = redeemed.token.body?.id_token;
      await render(op, ctx, {
        ...base,
        ...present(redeemed, op.clock.now()),
        logout: typeof idToken === 'string'
          ? {
              action: op.config.issuer + op.config.routes.end_session,
              idTokenHint: idToken,
              postLogoutRedirectUri: client.post_logout_redirect_uris.includes(`${op.config.issuer}/`) ? `${op.config.issuer}/` : undefined,
            }
          : undefined,
      });
    },
  ];
}

async function render(op: Provider, ctx: Ctx, model: ViewModel) {
  ctx.type = 'html';
  ctx.body = await op.views.render('playground', model);
}
