import { isDeepStrictEqual } from 'node:util';
import { AlreadyExistsError, NotFoundError, UsageError } from '../errors/app-errors.js';
import type { SessionRecord } from '../store/records.js';
import type { Store, User } from '../store/types.js';
import { hashPassword, verifyPassword } from '../util/password.js';
import * as check from './validate.js';
import { PRESET_NAMES } from '../protocol/presets.js';
import { PRESETS } from '../tokens/presets/index.js';

/** `dev-op user add` in data form. `claims`: ['key=value', …] from the CLI, or an object. */
export interface UserAddInput {
  username: string;
  password?: string;
  email?: string;
  name?: string;
  /** Default: the username. */
  sub?: string;
  claims?: string[] | Record<string, unknown>;
  /** Fill in claims the way this IdP's users have them (entra: oid, tid, roles, …); the other options override them. */
  preset?: string;
}

/** A user as shown by the CLI: the password itself is never printed, only whether there is one. */
export type UserView = Omit<User, 'password'> & { has_password: boolean };

/** `user add`'s answer: `unchanged` when the user existed already with exactly these options. */
export type UserAddResult = UserView & { unchanged?: boolean };

export function userView(user: User): UserView {
  const { password, ...rest } = user;
  return { ...rest, has_password: password !== undefined };
}

/** A new user from `user add` input, validated. `--claim` overrides what --email / --name set. */
export function buildUser(raw: unknown): User {
  const input = check.inputObject(raw) as Partial<UserAddInput>;
  const username = check.identifier(input.username, 'USERNAME');
  const sub = input.sub === undefined ? username : check.identifier(input.sub, '--sub');
  const password = check.optionalString(input.password, '--password');
  const email = check.optionalString(input.email, '--email');
  const name = check.optionalString(input.name, '--name');
  const extra = check.claims(input.claims);
  if (Object.hasOwn(extra, 'sub')) throw new UsageError('--claim sub=… is not allowed: set the subject with --sub');
  const preset = check.oneOf(input.preset, PRESET_NAMES, '--preset');
  const claims: Record<string, unknown> = {
    preferred_username: username,
    ...(preset ? PRESETS[preset].userClaims(username) : {}),
    ...(name ? { name } : {}),
    ...(email ? { email, email_verified: true } : {}),
    ...extra,
  };
  return { username, sub, ...(password !== undefined ? { password } : {}), claims };
}

/**
 * Add a user; a password is stored as an scrypt hash, never as typed. The same `user add` run
 * again (same options and password) changes nothing and is no error; other options point at `user update`.
 */
export async function addUser(store: Store, input: unknown): Promise<UserAddResult> {
  const user = buildUser(input);
  const existing = await store.getUser(user.username);
  if (existing) {
    if (await sameUser(existing, user)) return { ...userView(existing), unchanged: true };
    throw new AlreadyExistsError(
      `user ${user.username} already exists with other settings; change it with dev-op user update ${user.username} (or remove it first: dev-op user remove ${user.username})`,
    );
  }
  if (user.password !== undefined) user.password = await hashPassword(user.password);
  await store.addUser(user); // still add-if-absent: the store refuses a duplicate username or sub
  return userView(user);
}

/** The stored user is what these options build (the password checked against its hash). */
async function sameUser(existing: User, built: User): Promise<boolean> {
  if (existing.sub !== built.sub || !isDeepStrictEqual(existing.claims, built.claims)) return false;
  if (existing.password === undefined || built.password === undefined) return existing.password === built.password;
  return verifyPassword(built.password, existing.password);
}

export async function listUsers(store: Store): Promise<UserView[]> {
  return (await store.listUsers()).map(userView);
}

export async function showUser(store: Store, username: unknown): Promise<UserView> {
  const name = check.requiredString(username, 'USERNAME');
  const user = await store.getUser(name);
  if (!user) throw new NotFoundError(`user ${name} does not exist (see dev-op user list)`);
  return userView(user);
}

/**
 * Remove a user and revoke every session, grant, code and token of theirs: nothing they held works
 * after. `sessionsEnded` (a running server) tells the clients of their sessions (back-channel logout).
 */
export async function removeUser(
  store: Store, username: unknown, sessionsEnded?: (sessions: SessionRecord[]) => Promise<void>,
): Promise<{ removed: string }> {
  const name = check.requiredString(username, 'USERNAME');
  const user = await store.getUser(name);
  if (!user || !(await store.removeUser(name))) throw new NotFoundError(`user ${name} does not exist (see dev-op user list)`);
  const sessions = sessionsEnded ? await store.sessionsOf(user.sub) : [];
  await store.revokeSubject(user.sub);
  if (sessions.length > 0) await sessionsEnded!(sessions);
  return { removed: name };
}
