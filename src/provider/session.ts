import { DEFAULTS } from '../config/defaults.js';
import type { SessionRecord } from '../store/records.js';
import { epochSeconds } from '../util/clock.js';
import { notifyBackchannel } from './backchannel-logout.js';
import type { Ctx, Provider } from './context.js';

/**
 * Cookie options: signed (keygrip), HttpOnly, SameSite=Lax; Secure when the issuer is https;
 * scoped to the issuer's path, so issuers on one host under different paths keep apart.
 */
/** This issuer's cookie names (a named issuer's carry its suffix, provider-config.ts). */
export function cookieName(op: Provider, cookie: keyof typeof DEFAULTS.cookies): string {
  return op.config.cookieSuffix === undefined ? DEFAULTS.cookies[cookie] : `${DEFAULTS.cookies[cookie]}.${op.config.cookieSuffix}`;
}

export function cookieOptions(op: Provider, maxAgeMs?: number) {
  return {
    signed: true,
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: op.config.issuer.startsWith('https:'),
    overwrite: true,
    path: op.config.basePath || '/',
    ...(maxAgeMs !== undefined ? { maxAge: maxAgeMs } : {}),
  };
}

/** The OP session this browser holds, if its cookie is valid and the session is live. */
export async function loadSession(op: Provider, ctx: Ctx): Promise<{ id: string; record: SessionRecord } | undefined> {
  const id = ctx.cookies.get(cookieName(op, 'session'), { signed: true });
  if (!id) return undefined;
  const record = await op.store.get('Session', id);
  return record ? { id, record } : undefined;
}

/** Log the browser in as `accountId`, replacing any earlier session (fixation-safe: new id). */
export async function startSession(
  op: Provider,
  ctx: Ctx,
  login: { accountId: string; amr: string[]; remember: boolean; username: string; clientId?: string; claims?: Record<string, unknown> },
): Promise<{ id: string; record: SessionRecord }> {
  const previous = await loadSession(op, ctx);
  if (previous) await op.store.delete('Session', previous.id);
  // Another user signing in ends the previous user's session: their clients hear of it (Back-Channel Logout 2.5).
  if (previous && previous.record.accountId !== login.accountId) await notifyBackchannel(op, previous.record);
  const now = epochSeconds(op.clock);
  const ttl = op.config.ttl.Session;
  const record: SessionRecord = {
    accountId: login.accountId,
    sid: op.random.id(16),
    loginTs: now,
    amr: login.amr,
    // Consents survive a re-login of the same user in this browser (not one with its own claims: its grants carry them).
    grants: previous?.record.accountId === login.accountId && !login.claims ? previous.record.grants : {},
    ...(login.claims ? { claims: login.claims } : {}),
    exp: now + ttl,
  };
  const id = op.random.id();
  await op.store.put('Session', id, record);
  ctx.cookies.set(cookieName(op, 'session'), id, cookieOptions(op, login.remember ? ttl * 1000 : undefined));
  op.events.emit('login', { username: login.username, ...(login.clientId ? { clientId: login.clientId } : {}) });
  return { id, record };
}

export async function endSession(op: Provider, ctx: Ctx): Promise<SessionRecord | undefined> {
  const session = await loadSession(op, ctx);
  if (session) await op.store.delete('Session', session.id);
  ctx.cookies.set(cookieName(op, 'session'), null, cookieOptions(op));
  return session?.record;
}
