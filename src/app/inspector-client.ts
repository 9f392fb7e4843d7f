import { resolve } from 'node:path';
import { ConfigError } from '../errors/app-errors.js';
import { sendToServer } from './admin-client.js';
import type { InspectorReport, ReadFilter } from './inspector.js';
import { ownerIsAlive, readOwner } from './owner-file.js';

/**
 * The flow inspector of the server running on `dataPath` (`dev-op logs`), read through its admin
 * endpoint. The recording lives in that server's memory only, so with no server there is nothing
 * to show: that is an error, not an empty list.
 */
export async function readRunningInspector(dataPath: string, filter: ReadFilter = {}): Promise<InspectorReport> {
  const owner = await readOwner(resolve(dataPath));
  const none = new ConfigError(`no dev-op server is running on ${dataPath}: the flow inspector records in a running server's memory; start one with \`dev-op start\``);
  if (!owner?.adminToken || !owner.port || !ownerIsAlive(owner)) throw none;
  const sent = await sendToServer(dataPath, owner, 'inspector.read', filter);
  if (!sent) throw none;
  return sent.result as InspectorReport;
}
