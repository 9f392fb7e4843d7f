import { AccessDenied, InvalidInteraction, InvalidRequest } from '../../errors/oauth-errors.js';
import type { InteractionRecord, SessionRecord } from '../../store/records.js';
import type { Client } from '../../store/types.js';
import { verifyPassword } from '../../util/password.js';
import { safeEqual } from '../../util/safe-equal.js';
import { respondToAuthorization } from '../authorization-response.js';
import { responseModeFor } from '../checks/response-type.js';
import type { Ctx, Middleware, Params, Provider } from '../context.js';
import { csrfToken, verifyCsrf } from '../csrf.js';
import { settleDevice } from '../device/approval.js';
import { renderDeviceDone } from './device-verification.js';
import { needsConsent } from '../interaction-policy.js';
import { displayableLogo } from '../logo-uri.js';
import { parseParams } from '../middleware/body.js';
import { sameOriginPost } from '../middleware/same-origin.js';
import { pageSecurityHeaders } from '../middleware/security-headers.js';
import { initials } from '../../views/page-helpers.js';
import { describeScope } from '../scope-descriptions.js';
import { cookieName, cookieOptions, loadSession, startSession } from '../session.js';
import { parseLoginClaims } from '../login-claims-form.js';

type LoadedSession = { id: string; record: SessionRecord };

interface LoadedInteraction {
  uid: string;
  record: InteractionRecord;
  client: Client;
}

/** The interaction named in the path, only for the browser holding its cookie. */
async function loadInteraction(op: Provider, ctx: Ctx): Promise<LoadedInteraction> {
  const uid = ctx.state.route.uid ?? '';
  const record = await op.store.get('Interaction', uid);
  const cookie = ctx.cookies.get(cookieName(op, 'interaction'), { signed: true });
  if (!record || !cookie || !safeEqual(cookie, uid)) {
    throw new InvalidInteraction('this sign-in request has expired or was started in another browser').withHint(
      'start again from the application',
    );
  }
  const client = await op.store.getClient(record.params.client_id);
  if (!client) throw new InvalidInteraction(`client ${record.params.client_id} has been removed`);
  ctx.state.clientId = client.client_id;
  return { uid, record, client };
}

/** What an interaction's CSRF token is bound to (csrf.ts): this one interaction. */
const interactionBinding = (uid: string) => `interaction:${uid}`;

/** A form POST for this interaction: the browser's own, carrying its CSRF token, for the step it is at. */
async function loadSubmission(op: Provider, ctx: Ctx, step: InteractionRecord['prompt']): Promise<LoadedInteraction> {
  const i = await loadInteraction(op, ctx);
  verifyCsrf(op, ctx, interactionBinding(i.uid));
  if (i.record.prompt !== step) throw new InvalidRequest(`this sign-in request is not waiting for ${step === 'login' ? 'a login' : 'consent'}`);
  return i;
}

/** The signed-in session a consent step needs. */
async function requireSession(op: Provider, ctx: Ctx): Promise<LoadedSession> {
  const session = await loadSession(op, ctx);
  if (!session) throw new InvalidInteraction('you are not signed in any more; start again from the application');
  return session;
}

/** Who is asking, and where the answer goes (the redirect host), for the page header. */
function clientView(i: LoadedInteraction) {
  const { client } = i;
  return {
    name: client.client_name ?? client.client_id,
    // A device sign-in has no redirect: the answer goes to the device that showed the code.
    host: i.record.deviceCode ? 'your device' : new URL(i.record.params.redirect_uri).host,
    logoUri: displayableLogo(client.logo_uri),
    acceptedOnTheFly: client.accepted_on_the_fly === true,
  };
}

/** OIDC Core 3.1.2.1 ui_locales: the first well-formed BCP 47 tag becomes the page's lang. */
function pageLanguage(i: LoadedInteraction): string | undefined {
  return i.record.params.ui_locales?.split(' ').find((tag) => /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(tag));
}

async function renderLogin(op: Provider, ctx: Ctx, i: LoadedInteraction, error?: string, hint?: string, claims?: string, saveClaims = false) {
  const users = await op.store.listUsers();
  ctx.type = 'html';
  ctx.body = await op.views.render('login', {
    lang: pageLanguage(i),
    client: clientView(i),
    users: users.map((u) => ({
      username: u.username,
      name: typeof u.claims.name === 'string' ? u.claims.name : u.username,
      email: typeof u.claims.email === 'string' ? u.claims.email : '',
      initials: initials(typeof u.claims.name === 'string' && u.claims.name.trim() ? u.claims.name : u.username),
      hasPassword: u.password !== undefined,
    })),
    loginHint: hint ?? i.record.params.login_hint ?? '',
    claims: claims ?? '',
    saveClaims,
    error,
    csrf: csrfToken(op, ctx, interactionBinding(i.uid)),
    action: `${op.config.issuer}/interaction/${i.uid}/login`,
  });
}

/**
 * Finish: a code redirect if consent is settled, else the consent page. `session` is the one this
 * request just started: its cookie is only in the response, so it cannot be loaded from the request.
 */
async function continueAfterLogin(op: Provider, ctx: Ctx, i: LoadedInteraction, session: LoadedSession) {
  const scopes = i.record.params.scope.split(' ').filter(Boolean);
  const prompt = i.record.prompt === 'login' ? i.record.params.prompt : undefined;
  // A device's confirm page already was the consent.
  if (!i.record.deviceCode && await needsConsent(op, i.client, session.record, scopes, prompt)) {
    const changed = await op.store.update('Interaction', i.uid, (record) => ({ ...record, prompt: 'consent', accountId: session.record.accountId }));
    if (!changed) throw new InvalidInteraction('this sign-in request has expired; start again from the application');
    ctx.redirect(`${op.config.issuer}/interaction/${i.uid}`);
    return;
  }
  await finish(op, ctx, i, session);
}

async function finish(op: Provider, ctx: Ctx, i: LoadedInteraction, session: LoadedSession) {
  if (i.record.accountId !== undefined && i.record.accountId !== session.record.accountId) {
    throw new InvalidInteraction('another user signed in in this browser meanwhile; start again from the application');
  }
  await op.store.delete('Interaction', i.uid);
  ctx.cookies.set(cookieName(op, 'interaction'), null, cookieOptions(op));
  if (i.record.deviceCode) return finishDevice(op, ctx, i, session);
  await respondToAuthorization(op, ctx, i.record.params, i.client, session);
}

async function finishDevice(op: Provider, ctx: Ctx, i: LoadedInteraction, session: LoadedSession) {
  const device = await op.store.get('DeviceCode', i.record.deviceCode!);
  const clientName = i.client.client_name ?? i.client.client_id;
  if (!device || device.status !== 'pending') throw new InvalidInteraction('the device code has expired or was already used; start again on the device');
  await settleDevice(op, { deviceCode: i.record.deviceCode!, record: device, client: i.client }, { approvedBy: session });
  await renderDeviceDone(op, ctx, clientName, true);
}

/** GET /interaction/:uid — the login or consent page. */
export function showInteraction(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    async function renderInteraction(ctx) {
      const i = await loadInteraction(op, ctx);
      if (i.record.prompt === 'login') return renderLogin(op, ctx, i);
      const session = await requireSession(op, ctx);
      const user = await op.store.getUserBySub(session.record.accountId);
      ctx.type = 'html';
      ctx.body = await op.views.render('consent', {
        lang: pageLanguage(i),
        client: clientView(i),
        user: { name: (user?.claims.name as string | undefined) ?? session.record.accountId, username: user?.username ?? session.record.accountId },
        scopes: i.record.params.scope.split(' ').filter(Boolean).map((name) => ({ name, description: describeScope(name), optional: name !== 'openid' })),
        csrf: csrfToken(op, ctx, interactionBinding(i.uid)),
        action: `${op.config.issuer}/interaction/${i.uid}/consent`,
      });
    },
  ];
}

/** POST /interaction/:uid/login — a user card or the username/password form. */
export function submitLogin(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    sameOriginPost(op),
    parseParams,
    async function login(ctx) {
      const i = await loadSubmission(op, ctx, 'login');
      const username = (ctx.state.params.username ?? '').trim();
      if (!username) return renderLogin(op, ctx, i, 'Enter a username.');
      // A name may be a username or a stored user's sub: either way that user's password applies.
      // Only a name that is neither signs in as an ad-hoc dev user (sub = the name).
      const user = (await op.store.getUser(username)) ?? (await op.store.getUserBySub(username));
      // The advanced panel: claims overridden for this login only (carried by its grant to every token).
      const overrides = parseLoginClaims(ctx.state.params.claims);
      if (overrides.error) {
        ctx.status = 400;
        return renderLogin(op, ctx, i, overrides.error, username, ctx.state.params.claims);
      }
      const save = ctx.state.params.save_claims === '1';
      if (save && (!overrides.claims || !user)) {
        ctx.status = 400;
        const why = overrides.claims ? `${username} is not a stored user (dev-op user add ${username}), so there is nothing to save the claims on.` : 'Enter the claims to save.';
        return renderLogin(op, ctx, i, why, username, ctx.state.params.claims, save);
      }
      // A user with a password must give it.
      if (user?.password !== undefined && !(await verifyPassword(ctx.state.params.password ?? '', user.password))) {
        ctx.status = 401;
        const message = ctx.state.params.password ? 'Wrong password.' : `${username} has a password: enter it below.`;
        return renderLogin(op, ctx, i, message, username);
      }
      // "Save": the overrides become the stored user's claims (merged over them) for every later login too.
      if (save) await op.store.updateUser(user!.username, (stored) => ({ ...stored, claims: { ...stored.claims, ...overrides.claims } }));
      const session = await startSession(op, ctx, {
        accountId: user?.sub ?? username,
        amr: user?.password !== undefined ? ['pwd'] : [],
        remember: ctx.state.params.remember === '1',
        username: user?.username ?? username,
        clientId: i.record.params.client_id,
        ...(overrides.claims ? { claims: overrides.claims } : {}),
      });
      ctx.state.detail = `login ${username}`;
      await continueAfterLogin(op, ctx, i, session);
    },
  ];
}

/** POST /interaction/:uid/consent — Allow or Deny. */
export function submitConsent(op: Provider): Middleware[] {
  return [
    pageSecurityHeaders,
    sameOriginPost(op),
    parseParams,
    async function consent(ctx) {
      const i = await loadSubmission(op, ctx, 'consent');
      const decision = ctx.state.params.decision;
      if (decision === 'deny') {
        await op.store.delete('Interaction', i.uid);
        // Only a deliberate Deny goes back to the client (RFC 6749 4.1.2.1 access_denied).
        const { params } = i.record;
        ctx.state.redirect = { uri: params.redirect_uri, state: params.state, mode: responseModeFor(params.response_type, params.response_mode).mode };
        throw new AccessDenied('the user denied the request');
      }
      if (decision !== 'allow') throw new InvalidRequest('decision must be allow or deny');
      const session = await requireSession(op, ctx);
      const scope = consentedScopes(i.record.params.scope, ctx.state.params).join(' ');
      await finish(op, ctx, { ...i, record: { ...i.record, params: { ...i.record.params, scope } } }, session);
    },
  ];
}

/**
 * The scopes the user left ticked. A form that offered checkboxes says so (`scopes_offered`); an
 * older or overridden template without them grants what was asked. openid is never optional.
 */
function consentedScopes(requested: string, form: Params): string[] {
  const scopes = requested.split(' ').filter(Boolean);
  if (form.scopes_offered !== '1') return scopes;
  return scopes.filter((s) => s === 'openid' || form[`scope:${s}`] === '1');
}
