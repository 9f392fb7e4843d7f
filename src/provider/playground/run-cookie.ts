import type { Ctx, Provider } from '../context.js';
import { cookieOptions } from '../session.js';

/** What the playground, as a relying party, keeps between the authorization request and its callback. */
export interface PlaygroundRun {
  clientId: string;
  state: string;
  nonce: string;
  /** PKCE code_verifier (RFC 7636). */
  verifier: string;
  scope: string;
}

const COOKIE = '_playground';
function options(op: Provider, maxAgeMs?: number) {
  return { ...cookieOptions(op, maxAgeMs), path: `${op.config.basePath}/playground` };
}

/** Kept in a signed, HttpOnly cookie scoped to /playground: nothing is stored server-side. */
export function saveRun(op: Provider, ctx: Ctx, run: PlaygroundRun): void {
  const value = Buffer.from(JSON.stringify(run)).toString('base64url');
  ctx.cookies.set(COOKIE, value, options(op, op.config.ttl.Interaction * 1000));
}

/** The run this browser started, read once: the cookie is cleared so a reload cannot replay it. */
export function takeRun(op: Provider, ctx: Ctx): PlaygroundRun | undefined {
  const value = ctx.cookies.get(COOKIE, { signed: true });
  ctx.cookies.set(COOKIE, null, options(op));
  if (!value) return undefined;
  try {
    const run = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Partial<PlaygroundRun>;
    if ([run.clientId, run.state, run.nonce, run.verifier, run.scope].every((v) => typeof v === 'string')) {
      return run as PlaygroundRun;
    }
  } catch {
    // a signed cookie we did not write: treat as absent
  }
  return undefined;
}
