import { pairwiseSector } from '../protocol/pairwise.js';
import type { Client } from '../store/types.js';
import { pairwiseSubject } from '../tokens/pairwise.js';
import type { Provider } from './context.js';

/**
 * The `sub` a client sees for a user (OIDC Core 8): the user's own for a public client, a pairwise
 * one for a client registered with subject_type pairwise (8.1). The one mapping every output uses
 * (ID token, JWT access token, userinfo, introspection), so they agree; records keep the user's own.
 */
export async function subjectFor(op: Provider, client: Client | undefined, accountId: string): Promise<string> {
  if (client?.subject_type !== 'pairwise' || !op.config.features.pairwiseSubjects.enabled) return accountId;
  const sector = pairwiseSector(client);
  // Validation at client add refuses a pairwise client without a sector; one edited by hand falls back to its id.
  return pairwiseSubject(sector ?? client.client_id, accountId, await pairwiseSalt(op));
}

/** The data's salt: made at seed; a store seeded before pairwise subjects existed gets one on first use. */
async function pairwiseSalt(op: Provider): Promise<string> {
  const salt = await op.store.getPairwiseSalt();
  if (salt !== undefined) return salt;
  await op.store.setPairwiseSalt(op.random.id());
  return (await op.store.getPairwiseSalt())!;
}
