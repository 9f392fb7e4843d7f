import type { Middleware, Provider } from '../context.js';
import { noStore } from '../middleware/no-store.js';

/**
 * `GET /healthz` for CI and orchestrators (a liveness/readiness probe, not in discovery): 200
 * `{"status":"ok"}` once the signing keys are in place (a new memory store makes its key in the
 * background, so a token request could still wait), 503 `{"status":"starting"}` before.
 */
export function healthz(op: Provider): Middleware[] {
  let ready = false;
  const keys = op.keys().then(() => {
    ready = true;
  }, () => undefined);
  return [
    noStore,
    async function answerHealth(ctx) {
      // Keys already loaded settle within this turn; a probe never waits for a key being made.
      if (!ready) await Promise.race([keys, new Promise((resolve) => setImmediate(resolve))]);
      ctx.status = ready ? 200 : 503;
      ctx.body = { status: ready ? 'ok' : 'starting' };
    },
  ];
}
