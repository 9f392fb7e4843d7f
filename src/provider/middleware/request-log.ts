import type { LogFormat } from '../../config/provider-config.js';
import type { Middleware, Provider } from '../context.js';
import { requestDone } from '../cross-cutting.js';
import { exchangeDetail } from '../exchange.js';

/** Colour the log only for a person at a terminal who has not asked for none (NO_COLOR). */
function logColour(): boolean {
  return process.stderr.isTTY === true && !process.env.NO_COLOR;
}

/** One request as the log shows it. */
export interface RequestLine {
  method: string;
  path: string;
  status: number;
  client_id?: string;
  detail?: string;
  ms: number;
}

/** An instance's request log: one line per request, in the instance's format, to its sink. */
export interface RequestLogger {
  line(e: RequestLine): void;
}

/**
 * The request log of one instance. Never logs parameters: codes, tokens and secrets stay out of
 * logs; the client_id and the grant or prompt are enough to follow a flow. `write` defaults to
 * stderr; an embedding test may collect the lines instead.
 */
export function createRequestLogger(
  format: LogFormat,
  write: (line: string) => void = (line) => process.stderr.write(line),
  colour = logColour(),
): RequestLogger {
  if (format === 'none') return { line: () => {} };
  return {
    line(e) {
      const entry = { time: new Date().toISOString(), ...e };
      write(`${format === 'json' ? JSON.stringify(entry) : pretty(entry, colour)}\n`);
    },
  };
}

/** Log the request and report it as an event when it is answered (cross-cutting.ts). */
export function requestLog(op: Provider): Middleware {
  return async function logRequest(ctx, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      requestDone(op, {
        method: ctx.method, path: ctx.path, status: ctx.status, clientId: ctx.state.clientId,
        detail: ctx.state.warning === undefined ? ctx.state.detail : [ctx.state.warning, ctx.state.detail].filter(Boolean).join(' '),
        error: ctx.state.error, started, fault: ctx.state.fault,
      }, () => exchangeDetail(ctx));
    }
  };
}

function pretty(e: RequestLine & { time: string }, colour: boolean): string {
  const status = String(e.status);
  const painted = !colour ? status : `\x1b[${e.status >= 500 ? 31 : e.status >= 400 ? 33 : 32}m${status}\x1b[39m`;
  const extra = [e.client_id && `client=${e.client_id}`, e.detail].filter(Boolean).join(' ');
  return `${e.time.slice(11, 19)} ${e.method.padEnd(4)} ${e.path} ${painted} ${extra ? extra + ' ' : ''}${e.ms}ms`;
}
