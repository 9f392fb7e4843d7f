import { AppError, ConfigError } from '../errors/app-errors.js';
import { Journal } from '../store/journal.js';
import type { OperationContext } from './operations.js';

/**
 * Run a management operation that changes the store so that it is all or nothing: it resolves
 * once the change is on disk (flushed), and if the operation throws part-way or its change cannot
 * be written, what it did to clients, users and keys is undone before the error goes back. So a
 * command that fails has applied nothing (it does not appear later, with some other write), and
 * one that succeeds survives a crash.
 */
export async function applyDurably<R>(ctx: OperationContext, run: (ctx: OperationContext) => Promise<R>): Promise<R> {
  const journal = new Journal(ctx.store);
  let result: R;
  try {
    result = await run({ ...ctx, store: journal });
  } catch (err) {
    await journal.undo();
    throw err;
  }
  try {
    await ctx.store.flush();
  } catch (err) {
    await journal.undo();
    throw notSaved(err, ctx.store.location);
  }
  return result;
}

function notSaved(err: unknown, location: string): AppError {
  // A file-system error already names the file and says what to do (store/fs-errors.ts).
  const reason = err instanceof AppError ? err.message : `cannot write ${location}: ${(err as Error).message}.`;
  return new ConfigError(`${reason} The change was not applied.`);
}
