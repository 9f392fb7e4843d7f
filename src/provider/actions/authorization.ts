import {
  AccessDeniedAtAuthorization, InvalidClientAtAuthorization, InvalidRequest, LoginRequired, ConsentRequired, RequestNotSupported,
  RequestUriNotSupported, UnauthorizedClient,
} from '../../errors/oauth-errors.js';
import type { AuthorizationParams } from '../../store/records.js';
import { epochSeconds } from '../../util/clock.js';
import { parseClaimsRequest } from '../checks/claims-request.js';
import { checkCodeChallenge } from '../checks/pkce.js';
import { checkResponseType, responseModeFor } from '../checks/response-type.js';
import { checkRedirectUri } from '../checks/redirect-uri.js';
import { checkUserScope } from '../checks/scope.js';
import { respondToAuthorization } from '../authorization-response.js';
import type { Ctx, Middleware, Provider } from '../context.js';
import { verifyIdTokenHint } from '../id-token-hint.js';
import { needsConsent, needsLogin, promptValues } from '../interaction-policy.js';
import { parseParams } from '../middleware/body.js';
import { pageSecurityHeaders } from '../middleware/security-headers.js';
import { requestedResources } from '../resources.js';
import { loadSession, startSession } from '../session.js';
import { startInteraction } from '../start-interaction.js';
import { LOGIN_TICKET_HEADER } from '../login-tickets.js';

const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

/** OIDC Core 3.1.2 authorization endpoint (GET and POST), as a list of named steps. */
export function authorization(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    parseParams,

    // Until client and redirect_uri are known good, errors are shown as a page, never redirected.
    async function loadClient(ctx, next) {
      const clientId = ctx.state.params.client_id;
      if (!clientId) throw new InvalidClientAtAuthorization('missing required parameter: client_id');
      const client = await op.store.getClient(clientId);
      if (!client) {
        throw new InvalidClientAtAuthorization(`client ${clientId} is not registered`).withHint(
          'run `dev-op client list` to see the registered clients',
        );
      }
      ctx.state.client = client;
      ctx.state.clientId = clientId;
      await next();
    },

    async function validateRedirectUri(ctx, next) {
      const { params } = ctx.state;
      const uri = checkRedirectUri(ctx.state.client!, params.redirect_uri);
      ctx.state.redirect = { uri, state: params.state, mode: responseModeFor(params.response_type, params.response_mode).mode };
      await next();
    },

    async function checkRequestObjects(ctx, next) {
      const { params } = ctx.state;
      if (params.request !== undefined) throw new RequestNotSupported('request objects are not supported');
      if (params.request_uri !== undefined) throw new RequestUriNotSupported('request_uri is not supported');
      await next();
    },

    async function checkResponseTypeAndMode(ctx, next) {
      const { params, client } = ctx.state;
      params.response_type = checkResponseType(client!, params.response_type);
      const { error } = responseModeFor(params.response_type, params.response_mode);
      if (error) throw new InvalidRequest(error);
      if (params.response_type.includes('code') && !client!.grant_types.includes('authorization_code')) {
        throw new UnauthorizedClient(`client ${client!.client_id} may not use the authorization_code grant`);
      }
      await next();
    },

    async function checkParameters(ctx, next) {
      const { params, client } = ctx.state;
      const scopes = checkUserScope(client!, params.scope, await requestedResources(op, params.resource));
      const idTokenAtAuthorization = params.response_type!.split(' ').includes('id_token');
      if (idTokenAtAuthorization && !scopes.includes('openid')) throw new InvalidRequest('response_type with id_token requires the openid scope');
      // OIDC Core 3.2.2.1 / 3.3.2.11: nonce is required whenever the ID token comes from this endpoint.
      if (idTokenAtAuthorization && !params.nonce) throw new InvalidRequest('nonce is required for response types that return an id_token');
      checkCodeChallenge(params.code_challenge, params.code_challenge_method, client!.token_endpoint_auth_method === 'none');
      const prompts = promptValues(params.prompt);
      for (const p of prompts) if (!PROMPTS.has(p)) throw new InvalidRequest(`prompt ${p} is not supported`);
      if (prompts.has('none') && prompts.size > 1) throw new InvalidRequest('prompt=none must not be combined with other values');
      if (params.max_age !== undefined && !/^\d+$/.test(params.max_age)) throw new InvalidRequest('max_age must be a non-negative integer');
      parseClaimsRequest(params.claims);
      // offline_access means nothing to a client that may not refresh: drop it rather than fail.
      const granted = client!.grant_types.includes('refresh_token') ? scopes : scopes.filter((s) => s !== 'offline_access');
      params.scope = granted.join(' ');
      await next();
    },

    async function resolveInteraction(ctx) {
      const params = authorizationParams(ctx);
      const client = ctx.state.client!;
      const now = epochSeconds(op.clock);
      let session = await loadSession(op, ctx);
      // OIDC Core 3.1.2.1: an id_token_hint for another user than the session's means a new login.
      const hintSub = params.id_token_hint === undefined ? undefined : (await verifyIdTokenHint(op, params.id_token_hint)).sub;
      let login = needsLogin(params, session?.record, now, false) || (hintSub !== undefined && session?.record.accountId !== hintSub);
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
    'claims', 'acr_values', 'ui_locales', 'id_token_hint', 'resource',
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
  return startSession(op, ctx, { accountId: user.sub, amr: ticket.amr, remember: false, username: ticket.username, clientId });
}
