import type { StateKind } from './types.js';

/** A state record's address. */
export interface StateRef {
  kind: StateKind;
  id: string;
}

/**
 * grantId → the records that carry it, so revoking a grant touches only that grant's records
 * instead of scanning all state. Lives in memory only; rebuilt from the data on load.
 */
export class GrantIndex {
  private readonly byGrant = new Map<string, Map<StateKind, Set<string>>>();

  add(grantId: string, { kind, id }: StateRef): void {
    let kinds = this.byGrant.get(grantId);
    if (!kinds) this.byGrant.set(grantId, (kinds = new Map()));
    let ids = kinds.get(kind);
    if (!ids) kinds.set(kind, (ids = new Set()));
    ids.add(id);
  }

  remove(grantId: string, { kind, id }: StateRef): void {
    const kinds = this.byGrant.get(grantId);
    const ids = kinds?.get(kind);
    if (!kinds || !ids) return;
    ids.delete(id);
    if (ids.size === 0) kinds.delete(kind);
    if (kinds.size === 0) this.byGrant.delete(grantId);
  }

  /** Forget every grant (all state was dropped). */
  clear(): void {
    this.byGrant.clear();
  }

  /** Every record of this grant, forgetting the grant. */
  take(grantId: string): StateRef[] {
    const kinds = this.byGrant.get(grantId);
    this.byGrant.delete(grantId);
    const refs: StateRef[] = [];
    for (const [kind, ids] of kinds ?? []) for (const id of ids) refs.push({ kind, id });
    return refs;
  }
}
