import type { SessionRecord } from '../store/records.js';
import type { Client } from '../store/types.js';
import type { Provider } from './context.js';
import { withQuery } from './redirect.js';

/** One client's logout page, loaded in an iframe by the browser that signed out. */
export interface LogoutFrame {
  clientName: string;
  src: string;
  /** For the page's CSP frame-src. */
  origin: string;
}

/**
 * OIDC Front-Channel Logout 1.0 section 3: every client that took part in the ended session and
 * registered a frontchannel_logout_uri gets an iframe on the logged-out page, with `iss` and `sid`
 * (always sent, so that a client requiring them, frontchannel_logout_session_required, has them).
 */
export async function frontchannelFrames(op: Provider, session: SessionRecord | undefined): Promise<LogoutFrame[]> {
  if (!session || !op.config.features.frontchannelLogout.enabled) return [];
  const clients = await Promise.all(Object.keys(session.grants).map((id) => op.store.getClient(id)));
  return clients
    .filter((c): c is Client & { frontchannel_logout_uri: string } => c?.frontchannel_logout_uri !== undefined)
    .map((c) => ({
      clientName: c.client_name ?? c.client_id,
      src: withQuery(c.frontchannel_logout_uri, { iss: op.config.issuer, sid: session.sid }),
      origin: new URL(c.frontchannel_logout_uri).origin,
    }));
}
