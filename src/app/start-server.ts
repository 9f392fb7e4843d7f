import type { DevOp } from './dev-op.js';
import { startDevOp, type DevOpOptions } from './start-dev-op.js';

/** @deprecated The options of {@link startDevOp}. */
export type StartOptions = DevOpOptions;

/** @deprecated What {@link startServer} returns: the DevOp handle, with `close` for `stop`. */
export interface RunningServer extends DevOp {
  close(): Promise<void>;
}

/** @deprecated Use {@link startDevOp}; kept because earlier READMEs showed it. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const op = await startDevOp(options);
  return { ...op, close: op.stop };
}
