import compose from 'koa-compose';
import { MethodNotAllowed, NotFound } from '../errors/oauth-errors.js';
import type { Middleware } from './context.js';
import type { Method, Route } from './routes.js';

interface CompiledRoute {
  pattern: RegExp;
  keys: string[];
  methods: ReadonlySet<Method>;
  name: string;
  handler: Middleware;
}

function compile([methods, path, name, action]: Route): CompiledRoute {
  const keys: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      keys.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}$`), keys, methods: new Set(methods), name, handler: compose(action) };
}

/** Match the path, then the method: 404 for unknown paths, 405 (with Allow) for wrong methods. */
export function router(table: Route[]): Middleware {
  const compiled = table.map(compile);
  return async function route(ctx, next) {
    for (const r of compiled) {
      const match = r.pattern.exec(ctx.path);
      if (!match) continue;
      if (!r.methods.has(ctx.method as Method)) {
        ctx.set('Allow', [...r.methods].join(', '));
        throw new MethodNotAllowed(`${ctx.method} is not allowed on ${ctx.path}`);
      }
      ctx.state.route = Object.fromEntries(r.keys.map((key, i) => [key, decodeURIComponent(match[i + 1]!)]));
      ctx.state.params = {};
      return r.handler(ctx, next);
    }
    throw new NotFound(`no route for ${ctx.path}`);
  };
}
