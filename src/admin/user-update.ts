import { NotFoundError, UsageError } from '../errors/app-errors.js';
import type { Store } from '../store/types.js';
import { hashPassword } from '../util/password.js';
import { buildUser, userView, type UserView } from './users.js';
import * as check from './validate.js';

/** `dev-op user update USERNAME`: given options replace, claims are set one by one, `removeClaims` deletes some. */
export interface UserUpdateInput {
  username: string;
  password?: string;
  email?: string;
  name?: string;
  claims?: string[] | Record<string, unknown>;
  removeClaims?: string[];
}

/** Change a user in place (the sub stays): checked as `user add` checks, and nothing they were issued is revoked. */
export async function updateUser(store: Store, raw: unknown): Promise<UserView> {
  const input = check.inputObject(raw) as Partial<UserUpdateInput>;
  const username = check.identifier(input.username, 'USERNAME');
  const removals = check.stringList(input.removeClaims, '--remove-claim');
  // Validate the changes alone first (and hash outside the store's atomic update: scrypt is slow).
  const changes = buildUser({ username, password: input.password, email: input.email, name: input.name, claims: input.claims });
  const setClaims = { ...changes.claims };
  // buildUser sets preferred_username from the username; an update changes it only when asked to.
  if (!Object.hasOwn(check.claims(input.claims), 'preferred_username')) delete setClaims.preferred_username;
  const hash = changes.password === undefined ? undefined : await hashPassword(changes.password);
  const updated = await store.updateUser(username, (current) => {
    const claims = { ...current.claims, ...setClaims };
    for (const name of removals) {
      if (Object.hasOwn(setClaims, name)) throw new UsageError(`--remove-claim ${name} and a new value for ${name}: give one`);
      if (!Object.hasOwn(claims, name)) {
        throw new UsageError(`--remove-claim ${name}: user ${username} has no such claim (it has: ${Object.keys(current.claims).join(', ') || 'none'})`);
      }
      delete claims[name];
    }
    check.claims(claims); // the limits are on all of a user's claims, not on one update's
    return { ...current, claims, ...(hash !== undefined ? { password: hash } : {}) };
  });
  if (!updated) throw new NotFoundError(`user ${username} does not exist (see dev-op user list; add it with dev-op user add ${username})`);
  return userView(updated);
}
