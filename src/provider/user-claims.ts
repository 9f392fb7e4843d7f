import type { Provider } from './context.js';

/**
 * The user's claims as this login shows them: the stored user's, with the login's own overrides
 * on top (`loginAs(user, { claims })`; kept on the grant the login created, so every token and
 * userinfo response of that grant agree). `grantId` absent: the stored claims alone.
 */
export async function userClaimsFor(op: Provider, accountId: string, grantId?: string): Promise<Record<string, unknown> | undefined> {
  const [user, grant] = await Promise.all([
    op.store.getUserBySub(accountId),
    grantId === undefined ? undefined : op.store.get('Grant', grantId),
  ]);
  if (!grant?.claims) return user?.claims;
  return { ...user?.claims, ...grant.claims };
}
