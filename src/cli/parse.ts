import { UsageError } from '../errors/app-errors.js';

/** Commander argument parsers that fail with a one-line UsageError. */
export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new UsageError(`--port ${value} is not a port number (0-65535)`);
  return Number(value);
}
