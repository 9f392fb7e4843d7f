import type { Client } from '../store/types.js';
import { clientSubject } from '../tokens/pairwise.js';
import type { Provider } from './context.js';

/**
 * The `sub` a client sees for a user (OIDC Core 8): the user's own for a public client, a pairwise
 * one for a client registered with subject_type pairwise (8.1) while features.pairwiseSubjects is
 * on. The one mapping every output uses (ID token, JWT access token, userinfo, introspection,
 * id_token_hint), so they agree; stored records keep the user's own.
 */
export async function subjectFor(op: Provider, client: Client | undefined, accountId: string): Promise<string> {
  if (!client || !op.config.features.pairwiseSubjects.enabled) return accountId;
  return clientSubject(op, client, accountId);
}
