import { pairwiseSector } from '../protocol/pairwise.js';
import type { Client, Store } from '../store/types.js';
import type { RandomSource } from '../util/random.js';
import { sha256Base64url } from '../util/sha256.js';

/**
 * OIDC Core 8.1: a pairwise subject identifier, the same for one user at every client of one
 * sector and unrelated across sectors: base64url(SHA-256(sector + local sub + salt)), the
 * construction 8.1 suggests. The salt is the data's secret, so nobody can link subs across sectors.
 */
export function pairwiseSubject(sector: string, localSub: string, salt: string): string {
  return sha256Base64url(sector + localSub + salt);
}

/**
 * The `sub` a client sees for a user: pairwise for a client registered with subject_type pairwise,
 * else the user's own. Used by the provider (provider/subject.ts) and by `token mint`.
 */
export async function clientSubject(
  data: { readonly store: Store; readonly random: RandomSource }, client: Client, localSub: string,
): Promise<string> {
  if (client.subject_type !== 'pairwise') return localSub;
  // Validation at client add refuses a pairwise client without a sector; one edited by hand falls back to its id.
  return pairwiseSubject(pairwiseSector(client) ?? client.client_id, localSub, await pairwiseSalt(data));
}

/** The data's salt: made at seed; a store seeded before pairwise subjects existed gets one on first use. */
async function pairwiseSalt({ store, random }: { readonly store: Store; readonly random: RandomSource }): Promise<string> {
  const salt = await store.getPairwiseSalt();
  if (salt !== undefined) return salt;
  await store.setPairwiseSalt(random.id());
  return (await store.getPairwiseSalt())!;
}
