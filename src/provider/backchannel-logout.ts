import type { SessionRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import { epochSeconds } from '../util/clock.js';
import type { Provider } from './context.js';
import { idTokenAlg, signAsIdToken } from './id-token-signing.js';

/** OIDC Back-Channel Logout 1.0 2.4: the event a logout token carries. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A client that does not answer within this long has failed (the request is abandoned). */
const DELIVERY_TIMEOUT_MS = 5_000;
/** The user's logout page waits at most this long for the deliveries; slower ones finish (and are logged) after it. */
const PAGE_WAIT_MS = 1_000;
/** A logout token is used at once; two minutes covers clock skew between OP and RP. */
const LOGOUT_TOKEN_TTL = 120;

/**
 * OIDC Back-Channel Logout 1.0 2.4: a JWT for one client saying this session (sid) of this user
 * (sub) has ended: `events` names the logout, there is never a nonce (2.6 refuses one), `typ` is
 * logout+jwt (2.4, RFC 8725 3.11), signed as the client's ID tokens are.
 */
export async function logoutToken(op: Provider, client: Client, session: Pick<SessionRecord, 'accountId' | 'sid'>): Promise<string> {
  const now = epochSeconds(op.clock);
  const claims = {
    iss: op.config.issuer, aud: client.client_id, iat: now, exp: now + LOGOUT_TOKEN_TTL, jti: op.random.id(16),
    sub: session.accountId, sid: session.sid, events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  };
  return signAsIdToken(op, client, claims, await idTokenAlg(op, client), 'logout+jwt');
}

/**
 * 2.5: the session ended; tell every client that took part in it (holds a grant linked to it) and
 * registered a backchannel_logout_uri. Failures are logged, never thrown: the user is signed out
 * whatever the clients answer. Waits at most PAGE_WAIT_MS, so a slow client cannot hold up the page.
 */
export async function notifyBackchannel(op: Provider, session: SessionRecord): Promise<void> {
  if (!op.config.features.backchannelLogout.enabled) return;
  const clients = await Promise.all(Object.keys(session.grants).map((id) => op.store.getClient(id)));
  const targets = clients.filter((c): c is Client & { backchannel_logout_uri: string } => c?.backchannel_logout_uri !== undefined);
  if (targets.length === 0) return;
  const deliveries = Promise.all(targets.map((client) => deliver(op, client, session)));
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, PAGE_WAIT_MS).unref();
  });
  await Promise.race([deliveries, bound]);
  clearTimeout(timer);
}

/** 2.5: POST logout_token as a form; 2.8: a 200 (or any 2xx) means the RP logged the user out. */
async function deliver(op: Provider, client: Client & { backchannel_logout_uri: string }, session: SessionRecord): Promise<void> {
  const uri = client.backchannel_logout_uri;
  const started = performance.now();
  let status: number | undefined;
  let reason: string | undefined;
  try {
    const res = await fetch(uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: await logoutToken(op, client, session) }),
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    status = res.status;
    await res.body?.cancel();
    if (!res.ok) reason = `answered ${res.status}`;
  } catch (err) {
    const e = err as Error;
    reason = e.name === 'TimeoutError' ? `no answer within ${DELIVERY_TIMEOUT_MS / 1000} s` : (e.cause as Error | undefined)?.message ?? e.message;
  }
  op.logger.line({
    method: 'POST', path: uri, status: status ?? 0, client_id: client.client_id,
    detail: reason === undefined ? 'backchannel logout' : `backchannel logout failed: ${reason}`, ms: Math.round(performance.now() - started),
  });
  op.events.emit('backchannelLogout', {
    clientId: client.client_id, sid: session.sid, uri, delivered: reason === undefined,
    ...(status !== undefined ? { status } : {}), ...(reason !== undefined ? { reason } : {}),
  });
}
