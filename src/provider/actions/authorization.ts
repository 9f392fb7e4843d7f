import { AccessDeniedAtAuthorization, LoginRequired, ConsentRequired } from '../../errors/oauth-errors.js';
import type { AuthorizationParams } from '../../store/records.js';
import { epochSeconds } from '../../util/clock.js';
import { respondToAuthorization } from '../authorization-response.js';
import { authorizationSteps } from '../authorization/matrix.js';
import type { Ctx, Middleware, Provider } from '../context.js';
import { verifyIdTokenHint } from '../id-token-hint.js';
import { subjectFor } from '../subject.js';
import { needsConsent, needsLogin, promptValues } from '../interaction-policy.js';
import { parseParams } from '../middleware/body.js';
import { pageSecurityHeaders } from '../middleware/security-headers.js';
import { loadSession, startSession } from '../session.js';
import { startInteraction } from '../start-interaction.js';
import { LOGIN_TICKET_HEADER } from '../login-tickets.js';

/**
 * OIDC Core 3.1.2 authorization endpoint (GET and POST): the checks this endpoint runs (one
 * matrix for every endpoint that takes an authorization request: ../authorization/matrix.ts),
 * then login, consent and the response.
 */
export function authorization(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    parseParams,
    ...authorizationSteps(op, 'authorization'),

    async function resolveInteraction(ctx) {
      const params = authorizationParams(ctx);
      const client = ctx.state.client!;
      const now = epochSeconds(op.clock);
      let session = await loadSession(op, ctx);
      // OIDC Core 3.1.2.1: an id_token_hint for another user than the session's means a new login.
      const hintSub = params.id_token_hint === undefined ? undefined : (await verifyIdTokenHint(op, params.id_token_hint)).sub;
      // The hint shows the sub this client saw (pairwise, OIDC Core 8.1), so the session's is compared as this client sees it.
      const hintedOther = hintSub !== undefined && (!session || (await subjectFor(op, client, session.record.accountId)) !== hintSub);
      let login = needsLogin(params, session?.record, now, false) || hintedOther;
      // A login ticket (loginAs) or --auto-login stands for a user who always says yes: no pages.
      const ticket = ctx.get(LOGIN_TICKET_HEADER);
      const automatic = ticket !== '' || op.config.autoLogin !== undefined;
      if (ticket !== '') {
        session = await ticketLogin(op, ctx, ticket, client.client_id);
        login = false;
      } else if (op.config.autoLogin !== undefined) {
        const hinted = await hintedUser(op, params.login_hint);
        if (login || (hinted && session?.record.accountId !== hinted.sub)) {
          session = await autoLogin(op, ctx, hinted?.username ?? op.config.autoLogin, client.client_id);
          login = false;
        }
      }
      const consent = !login && !automatic
        && (await needsConsent(op, client, session!.record, params.scope.split(' '), params.prompt));
      ctx.state.detail = params.prompt ? `prompt=${params.prompt}` : undefined;
      if (promptValues(params.prompt).has('none')) {
        if (login) throw new LoginRequired('the user is not logged in (prompt=none)');
        if (consent) throw new ConsentRequired('the user has not consented to this client (prompt=none)');
      }
      if (login || consent) {
        ctx.redirect(await startInteraction(op, ctx, params, login ? 'login' : 'consent'));
        return;
      }
      await respondToAuthorization(op, ctx, params, client, session!);
    },
  ];
}

/** The validated parameters, in the shape that is carried through login and consent. */
function authorizationParams(ctx: Ctx): AuthorizationParams {
  const p = ctx.state.params;
  const out: AuthorizationParams = {
    client_id: p.client_id!, redirect_uri: p.redirect_uri!, response_type: p.response_type!, scope: p.scope ?? '',
  };
  const carried = [
    'response_mode', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'login_hint',
    'claims', 'acr_values', 'ui_locales', 'id_token_hint', 'resource', 'dpop_jkt',
  ] as const;
  for (const key of carried) {
    if (p[key] !== undefined) out[key] = p[key];
  }
  return out;
}

/** Under --auto-login, a login_hint naming a known user logs in that user (OIDC Core 3.1.2.1). */
async function hintedUser(op: Provider, hint: string | undefined) {
  return hint === undefined ? undefined : op.store.getUser(hint);
}

/** The user is looked up per request, so users added after start can be auto-logged-in. */
async function autoLogin(op: Provider, ctx: Ctx, username: string, clientId: string) {
  const user = await op.store.getUser(username);
  if (!user) {
    throw new AccessDeniedAtAuthorization(`the --auto-login user ${username} does not exist`)
      .withHint(`add it with \`dev-op user add ${username}\`, or send a login_hint naming a user from \`dev-op user list\``);
  }
  return startSession(op, ctx, { accountId: user.sub, amr: ['auto'], remember: false, username, clientId });
}

async function ticketLogin(op: Provider, ctx: Ctx, id: string, clientId: string) {
  const ticket = op.loginTickets.take(id);
  if (!ticket) throw new AccessDeniedAtAuthorization('unknown, used or expired login ticket');
  const user = await op.store.getUser(ticket.username);
  if (!user) throw new AccessDeniedAtAuthorization(`user ${ticket.username} does not exist`);
  return startSession(op, ctx, {
    accountId: user.sub, amr: ticket.amr, remember: false, username: ticket.username, clientId, ...(ticket.claims ? { claims: ticket.claims } : {}),
  });
}
