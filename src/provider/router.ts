import compose from 'koa-compose';
import { InvalidRequest, MethodNotAllowed, NotFound } from '../errors/oauth-errors.js';
import type { Middleware } from './context.js';
import type { Method, Route } from './routes.js';

interface CompiledRoute {
  pattern: RegExp;
  keys: string[];
  methods: ReadonlySet<Method>;
  name: string;
  handler: Middleware;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new InvalidRequest('malformed percent-encoding in the path');
  }
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

/** Match path and method: 404 for unknown paths, 405 (with Allow) for a known path with the wrong method. */
export function router(table: Route[]): Middleware {
  const compiled = table.map(compile);
  return async function route(ctx, next) {
    const allowed = new Set<Method>();
    for (const r of compiled) {
      const match = r.pattern.exec(ctx.path);
      if (!match) continue;
      // One path may have a route per method (GET shows a page, POST submits it).
      if (!r.methods.has(ctx.method as Method)) {
        r.methods.forEach((m) => allowed.add(m));
        continue;
      }
      ctx.state.route = Object.fromEntries(r.keys.map((key, i) => [key, decodeSegment(match[i + 1]!)]));
      ctx.state.params = {};
      return r.handler(ctx, next);
    }
    if (allowed.size > 0) {
      ctx.set('Allow', [...allowed].join(', '));
      throw new MethodNotAllowed(`${ctx.method} is not allowed on ${ctx.path}`);
    }
    throw new NotFound(`no route for ${ctx.path}`);
  };
}
