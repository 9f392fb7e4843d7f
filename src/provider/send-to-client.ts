import type { ResponseMode } from '../protocol/capabilities.js';
import type { Ctx, Provider } from './context.js';
import { withQuery } from './redirect.js';

export interface ClientRedirect {
  uri: string;
  state?: string;
  mode: ResponseMode;
}

/**
 * Deliver authorization response parameters (success or error) to a validated redirect_uri in the
 * requested response mode: query, fragment, or an auto-submitting form (OAuth 2.0 Form Post).
 */
export async function sendToClient(op: Provider, ctx: Ctx, target: ClientRedirect, params: Record<string, string | undefined>): Promise<void> {
  const present = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined);
  ctx.state.delivered = Object.fromEntries(present);
  if (target.mode === 'query') {
    ctx.redirect(withQuery(target.uri, Object.fromEntries(present)));
    return;
  }
  if (target.mode === 'fragment') {
    ctx.redirect(`${target.uri.split('#')[0]}#${new URLSearchParams(present).toString()}`);
    return;
  }
  ctx.state.page = true;
  ctx.status = 200;
  ctx.type = 'html';
  ctx.set('Cache-Control', 'no-store');
  ctx.body = await op.views.render('form-post', {
    title: 'Returning to the application',
    action: target.uri,
    fields: present.map(([name, value]) => ({ name, value })),
  });
}
