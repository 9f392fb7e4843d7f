import { InvalidRequest } from '../../errors/oauth-errors.js';
import type { Ctx, Middleware, Params, Provider } from '../context.js';
import { csrfToken, verifyCsrf } from '../csrf.js';
import { verifyIdTokenHint } from '../id-token-hint.js';
import { parseParams } from '../middleware/body.js';
import { sameOriginPost } from '../middleware/same-origin.js';
import { allowFrames, pageSecurityHeaders } from '../middleware/security-headers.js';
import { notifyBackchannel } from '../backchannel-logout.js';
import { frontchannelFrames, type LogoutFrame } from '../frontchannel-logout.js';
import { withQuery } from '../redirect.js';
import { endSession, loadSession } from '../session.js';

/** What a logout form's CSRF token is bound to (csrf.ts): the session it ends. */
const logoutBinding = (sid: string) => `logout:${sid}`;

interface LogoutRequest {
  clientId?: string;
  clientName?: string;
  /** Only ever a URI registered for the client (no open redirect). */
  postLogoutRedirectUri?: string;
  state?: string;
}

/** OIDC RP-Initiated Logout 1.0 section 2: validate id_token_hint, client_id and post_logout_redirect_uri. */
async function logoutRequest(op: Provider, params: Params): Promise<LogoutRequest> {
  let clientId = params.client_id;
  if (params.id_token_hint !== undefined) {
    const payload = await verifyIdTokenHint(op, params.id_token_hint);
    const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud;
    if (clientId !== undefined && clientId !== aud) throw new InvalidRequest('client_id does not match the id_token_hint audience');
    clientId = aud;
  }
  const client = clientId !== undefined ? await op.store.getClient(clientId) : undefined;
  if (clientId !== undefined && !client) throw new InvalidRequest(`client ${clientId} is not registered`);
  const uri = params.post_logout_redirect_uri;
  if (uri !== undefined) {
    if (!client) throw new InvalidRequest('post_logout_redirect_uri needs id_token_hint or client_id to identify the client');
    if (!client.post_logout_redirect_uris.includes(uri)) {
      throw new InvalidRequest(`post_logout_redirect_uri ${uri} is not registered for client ${client.client_id}`).withHint(
        `registered: ${client.post_logout_redirect_uris.join(', ') || '(none)'}; run \`dev-op client show ${client.client_id}\`, `
        + `or add it with \`dev-op client update ${client.client_id} --add-post-logout-redirect-uri ${uri}\``,
      );
    }
  }
  return {
    clientId: client?.client_id,
    clientName: client ? client.client_name ?? client.client_id : undefined,
    postLogoutRedirectUri: uri,
    state: params.state,
  };
}

async function signedOut(op: Provider, ctx: Ctx, req: LogoutRequest, stayed = false, frames: LogoutFrame[] = []) {
  const next = req.postLogoutRedirectUri && withQuery(req.postLogoutRedirectUri, { state: req.state });
  // Front-channel iframes need a page: it goes on to the post-logout URI once they have loaded.
  if (next && frames.length === 0) {
    ctx.redirect(next);
    return;
  }
  allowFrames(ctx, frames.map((f) => f.origin));
  ctx.type = 'html';
  // `stayed`: the user chose "Stay signed in", so the page must not claim they are signed out.
  ctx.body = await op.views.render('logged-out', {
    clientName: req.clientName, stayed, frames: frames.map(({ clientName, src }) => ({ clientName, src })), hasFrames: frames.length > 0,
    ...(next ? { next } : {}),
  });
}

/** GET|POST /session/end — ask the user to confirm (a cross-site link must not log them out silently). */
export function endSessionPrompt(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    parseParams,
    async function confirmLogout(ctx) {
      const req = await logoutRequest(op, ctx.state.params);
      const session = await loadSession(op, ctx);
      if (!session) return signedOut(op, ctx, req);
      const hidden = Object.entries({
        client_id: req.clientId, post_logout_redirect_uri: req.postLogoutRedirectUri, state: req.state,
      }).flatMap(([name, value]) => (value === undefined ? [] : [{ name, value }]));
      ctx.type = 'html';
      ctx.body = await op.views.render('logout', {
        client: req.clientName ? { name: req.clientName } : undefined,
        csrf: csrfToken(op, ctx, logoutBinding(session.record.sid)),
        action: `${op.config.issuer}${op.config.routes.end_session}/confirm`,
        hidden,
      });
    },
  ];
}

/** POST /session/end/confirm — end the OP session if the user said yes, then go back. */
export function endSessionConfirm(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    sameOriginPost(op),
    parseParams,
    async function logout(ctx) {
      // The token is bound to the session it signs out: with none left (signed out elsewhere) it fails.
      verifyCsrf(op, ctx, logoutBinding((await loadSession(op, ctx))?.record.sid ?? ''));
      const req = await logoutRequest(op, ctx.state.params);
      const yes = ctx.state.params.logout === 'yes';
      const ended = yes ? await endSession(op, ctx) : undefined;
      // The session is gone first: whatever the clients answer, the user is signed out.
      if (ended) await notifyBackchannel(op, ended);
      await signedOut(op, ctx, req, !yes, await frontchannelFrames(op, ended));
    },
  ];
}
