import compose from 'koa-compose';
import type { Middleware } from './context.js';

/**
 * An action whose module is imported on its route's first request rather than at start, so that
 * start loads only what discovery and JWKS need. The chain is built once; requests that arrive
 * while it loads wait for it.
 */
export function lazy(load: () => Promise<Middleware[]>): Middleware[] {
  let handler: Promise<Middleware> | undefined;
  return [async function lazyAction(ctx, next) {
    return (await (handler ??= load().then((chain) => compose(chain))))(ctx, next);
  }];
}
