import { NotFound } from '../../errors/oauth-errors.js';
import type { Middleware, Provider } from '../context.js';

/** GET /assets/:name — the pages' CSS, script and icon, from templates/assets. */
export function assets(op: Provider): Middleware[] {
  return [
    async function serveAsset(ctx) {
      const asset = await op.views.asset(ctx.state.route.name ?? '');
      if (!asset) throw new NotFound('no such asset');
      ctx.type = asset.type;
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.body = asset.body;
    },
  ];
}
