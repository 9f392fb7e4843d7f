import type { Middleware } from '../context.js';

import type { LogFormat } from '../../config/provider-config.js';

/**
 * One line per request on stderr. Never logs parameters: codes, tokens and secrets stay out of
 * logs; the client_id and the grant or prompt are enough to follow a flow.
 */
/** Colour the log only for a person at a terminal who has not asked for none (NO_COLOR). */
export function logColour(): boolean {
  return process.stderr.isTTY === true && !process.env.NO_COLOR;
}

export function requestLog(format: LogFormat, colour: boolean): Middleware {
  return async function logRequest(ctx, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      if (format !== 'none') {
        writeRequestLine(format, colour, {
          method: ctx.method, path: ctx.path, status: ctx.status, client_id: ctx.state.clientId, detail: ctx.state.detail, started,
        });
      }
    }
  };
}

interface LogEntry {
  time: string;
  method: string;
  path: string;
  status: number;
  client_id?: string;
  detail?: string;
  ms: number;
}

/** The request's line (also for constant-documents.ts, which answers before koa). `started` is performance.now() at arrival. */
export function writeRequestLine(
  format: Exclude<LogFormat, 'none'>,
  colour: boolean,
  e: Omit<LogEntry, 'time' | 'ms'> & { started: number },
): void {
  const entry: LogEntry = {
    time: new Date().toISOString(), method: e.method, path: e.path, status: e.status,
    client_id: e.client_id, detail: e.detail, ms: Math.round((performance.now() - e.started) * 10) / 10,
  };
  process.stderr.write(`${format === 'json' ? JSON.stringify(entry) : pretty(entry, colour)}\n`);
}

function pretty(e: LogEntry, colour: boolean): string {
  const status = String(e.status);
  const painted = !colour ? status : `\x1b[${e.status >= 500 ? 31 : e.status >= 400 ? 33 : 32}m${status}\x1b[39m`;
  const extra = [e.client_id && `client=${e.client_id}`, e.detail].filter(Boolean).join(' ');
  return `${e.time.slice(11, 19)} ${e.method.padEnd(4)} ${e.path} ${painted} ${extra ? extra + ' ' : ''}${e.ms}ms`;
}
