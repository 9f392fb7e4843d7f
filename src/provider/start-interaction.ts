import type { AuthorizationParams, InteractionRecord } from '../store/records.js';
import { epochSeconds } from '../util/clock.js';
import type { Ctx, Provider } from './context.js';
import { cookieName, cookieOptions } from './session.js';

/**
 * Park a request while the user logs in or consents: the record holds its parameters, and a
 * cookie binds it to this browser. Returns the URL of the interaction page.
 */
export async function startInteraction(
  op: Provider,
  ctx: Ctx,
  params: AuthorizationParams,
  prompt: InteractionRecord['prompt'],
  deviceCode?: string,
): Promise<string> {
  const uid = op.random.id(16);
  const ttl = op.config.ttl.Interaction;
  const record: InteractionRecord = { params, prompt, exp: epochSeconds(op.clock) + ttl, ...(deviceCode ? { deviceCode } : {}) };
  await op.store.put('Interaction', uid, record);
  ctx.cookies.set(cookieName(op, 'interaction'), uid, cookieOptions(op, ttl * 1000));
  return `${op.config.issuer}/interaction/${uid}`;
}
