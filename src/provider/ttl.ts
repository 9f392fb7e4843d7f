import type { Client, ClientTtlName } from '../store/types.js';
import type { Provider } from './context.js';

/** A lifetime in seconds: the client's own `ttl` entry wins over the server's. */
export function ttlFor(op: Pick<Provider, 'config'>, client: Client | undefined, name: ClientTtlName): number {
  return client?.ttl?.[name] ?? op.config.ttl[name];
}
