import { AppError, CancelledError } from '../errors/app-errors.js';

/** 128 + SIGINT: what a shell reports for a command stopped with Ctrl+C. */
const CANCELLED_EXIT = 130;

/**
 * The CLI's last word on an error: a user error is one line on stderr and exit 1; anything
 * else is a bug and keeps its stack so it can be reported.
 */
export function fail(err: unknown): never {
  if (err instanceof CancelledError) {
    process.stderr.write(`dev-op: ${err.message}\n`);
    process.exit(CANCELLED_EXIT);
  } else if (err instanceof AppError) {
    process.stderr.write(`dev-op: ${err.message}\n`);
  } else {
    process.stderr.write(`dev-op: unexpected error (please report it):\n${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exit(1);
}
