import { InvalidRequest } from '../../errors/oauth-errors.js';
import { randomId } from '../../util/random.js';
import { safeEqual } from '../../util/safe-equal.js';
import { explainError } from '../../views/page-helpers.js';
import type { ViewModel } from '../../views/render.js';
import { s256 } from '../checks/pkce.js';
import { parseScope, STANDARD_SCOPES } from '../checks/scope.js';
import type { Ctx, Middleware, Provider } from '../context.js';
import { csrfToken, verifyCsrf } from '../csrf.js';
import { parseParams } from '../middleware/body.js';
import { sameOriginPost } from '../middleware/same-origin.js';
import { pageSecurityHeaders } from '../middleware/security-headers.js';
import { PLAYGROUND_CLIENT_ID, ensurePlaygroundClient, ineligibility, playgroundCallback } from '../playground/client.js';
import { discover } from '../playground/loopback.js';
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
 * POST /playground/start — act as a relying party: a fresh state, nonce and PKCE verifier in a
 * signed cookie, then a redirect to the real authorization endpoint.
 */
export function playgroundStart(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    sameOriginPost(op),
    parseParams,
    async function startRun(ctx) {
      verifyCsrf(ctx, 'playground');
      const p = ctx.state.params;
      const client = await chosenClient(op, p.client_id);
      const scope = [...new Set([...STANDARD_SCOPES.filter((s) => p[`scope_${s}`] === '1'), ...parseScope(p.extra_scope)])].join(' ');
      const prompt = p.prompt ?? '';
      if (!PROMPTS.has(prompt)) throw new InvalidRequest(`prompt ${prompt} is not offered by the playground`);
      const run = { clientId: client.client_id, state: randomId(16), nonce: randomId(16), verifier: randomId(32), scope };
      saveRun(op, ctx, run);
      const url = new URL(op.config.issuer + op.config.routes.authorization);
      const query: Record<string, string> = {
        response_type: 'code',
        client_id: client.client_id,
        redirect_uri: playgroundCallback(op),
        scope,
        state: run.state,
        nonce: run.nonce,
        code_challenge: s256(run.verifier),
        code_challenge_method: 'S256',
      };
      if (prompt) query.prompt = prompt;
      for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
      ctx.state.clientId = client.client_id;
      ctx.status = 303;
      ctx.redirect(url.href);
    },
  ];
}

/** GET /playground/callback — the redirect_uri: check state, redeem the code, show what came back. */
export function playgroundCallbackAction(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    parseParams,
    async function finishRun(ctx) {
      const p = ctx.state.params;
      const run = takeRun(op, ctx);
      if (!run) {
        throw new InvalidRequest('no playground run is waiting in this browser (it finished already or was started elsewhere)')
          .withHint('start a new run from the home page');
      }
      if (!p.state || !safeEqual(p.state, run.state)) throw new InvalidRequest('state does not match the one the playground sent');
      if (p.iss !== undefined && p.iss !== op.config.issuer) throw new InvalidRequest(`iss ${p.iss} is not this issuer (RFC 9207)`);
      const client = await op.store.getClient(run.clientId);
      if (!client) throw new InvalidRequest(`client ${run.clientId} was removed during the run`);
      ctx.state.clientId = client.client_id;
      const base: ViewModel = {
        client: { id: client.client_id, name: client.client_name ?? client.client_id },
        scope: run.scope,
        again: { action: `${op.config.issuer}/playground/start`, csrf: csrfToken(op, ctx, 'playground'), clientId: client.client_id, scope: run.scope },
      };
      if (p.error !== undefined) {
        return render(op, ctx, { ...base, authError: { error: p.error, description: p.error_description ?? '', explanation: explainError(p.error) } });
      }
      if (!p.code) throw new InvalidRequest('the callback carries neither code nor error');
      const redeemed = await redeem(op, await discover(op, ctx), client, run, p.code, playgroundCallback(op));
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
