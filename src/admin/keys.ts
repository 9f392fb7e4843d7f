import type { JWK } from 'jose';
import { generateSigningKey } from '../keys/generate.js';
import { activatedAt, activeKey, isPublished, keyForAlg, newestFirst } from '../keys/keyring.js';
import { NotFoundError, UsageError } from '../errors/app-errors.js';
import { publicJwk } from '../keys/public-jwk.js';
import type { Client, SigningAlg, Store, StoredKey } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import * as check from './validate.js';

/** A signing key as listed: never its private members. */
export interface KeyView {
  kid: string;
  alg: SigningAlg;
  createdAt: string;
  /** The active key signs access tokens and every ID token not asked for in another alg. */
  active: boolean;
  /** What the key signs now, e.g. ['access tokens', 'ID tokens'] or ['ID tokens of web (asks RS256)']; empty: verify only. */
  signs: string[];
  /**
   * active: signs; next: published ahead of signing (rotate --publish-only, until activate);
   * published: verifies what it signed before; retired: gone from the JWKS, verifies nothing.
   */
  state: KeyState;
}

export type KeyState = 'active' | 'next' | 'published' | 'retired';

export interface RotateInput {
  /** Default: the current signing key's alg, or RS256 when there is none. */
  alg?: SigningAlg;
  /** Remove every other key, so tokens they signed stop verifying. */
  retire?: boolean;
  /**
   * Publish the new key in the JWKS without signing with it (state next), so apps can fetch it
   * before `activate` makes it sign. No keys for client-requested algs are made then.
   */
  publishOnly?: boolean;
}

export interface RotateResult {
  key: KeyView;
  /** New keys for the algs clients ask for (id_token_signed_response_alg) other than `key`'s. */
  forClients: KeyView[];
  retired: string[];
}

/** Each key as listed, with what it signs for the given clients. */
function views(keys: readonly StoredKey[], clients: readonly Client[]): KeyView[] {
  const newest = newestFirst(keys);
  const active = activeKey(newest);
  return newest.map((key) => {
    const signs = key === active ? ['access tokens', 'ID tokens'] : [];
    const asking = clients.filter((c) => c.id_token_signed_response_alg === key.alg).map((c) => c.client_id);
    if (key !== active && asking.length > 0 && keyForAlg(newest, key.alg) === key && isPublished(key)) {
      signs.push(`ID tokens of ${asking.join(', ')} (asks ${key.alg})`);
    }
    const state: KeyState = key === active ? 'active' : key.status === 'next' ? 'next' : key.status === 'retired' ? 'retired' : 'published';
    return { kid: key.kid, alg: key.alg, createdAt: key.createdAt, active: key === active, signs, state };
  });
}

export async function listKeys(store: Store): Promise<KeyView[]> {
  return views(await store.listKeys(), await store.listClients());
}

/** The public JWKS (what /jwks serves): public members only, newest first. */
export async function exportJwks(store: Store): Promise<{ keys: JWK[] }> {
  return { keys: newestFirst((await store.listKeys()).filter(isPublished)).map((k) => publicJwk(k.jwk)) };
}

/** The algs clients ask their ID tokens in, other than `alg` (HS256 uses the client secret, not a key). */
function requestedAlgs(clients: readonly Client[], alg: SigningAlg): SigningAlg[] {
  const algs = clients.map((c) => c.id_token_signed_response_alg).filter((a): a is SigningAlg => a !== undefined && a !== 'HS256' && a !== alg);
  return [...new Set(algs)];
}

/**
 * Add a new active key that signs from now on, and a new key for every other alg a client asks
 * for, so that rotation reaches every token a key signs. Older keys stay in the JWKS so the
 * tokens they signed keep verifying, until `retire` removes them. The caller tells the provider
 * the keys changed.
 */
export async function rotateKey(store: Store, clock: Clock, raw: unknown): Promise<RotateResult> {
  const input = check.inputObject(raw) as RotateInput;
  const current = newestFirst(await store.listKeys());
  const clients = await store.listClients();
  const alg = input.alg === undefined ? (activeKey(current)?.alg ?? 'RS256') : check.signingAlg(input.alg);
  const publishOnly = input.publishOnly === true;
  if (publishOnly && input.retire === true) throw new UsageError('--publish-only keeps the current key signing: it does not go with --retire');
  if (publishOnly && !current.some(isPublished)) throw new UsageError('--publish-only needs a key that signs meanwhile, and there is none: rotate without it');
  // Strictly newer than every stored key, so each new key outranks the one it replaces.
  const newest = Math.max(-Infinity, ...current.map((k) => Math.max(Date.parse(k.createdAt), Date.parse(activatedAt(k)))));
  const createdAt = new Date(Math.max(clock.now(), newest + 1));
  const key: StoredKey = { ...(await generateSigningKey(alg, createdAt)), ...(publishOnly ? { status: 'next' as const } : {}) };
  const forClients = publishOnly ? [] : await Promise.all(requestedAlgs(clients, alg).map(async (other) => ({
    ...(await generateSigningKey(other, createdAt)), forRequestedAlg: true,
  })));
  for (const made of [key, ...forClients]) await store.addKey(made);
  const retired: string[] = [];
  if (input.retire === true) {
    for (const old of current) if (await store.removeKey(old.kid)) retired.push(old.kid);
  }
  const listed = views(await store.listKeys(), clients);
  const viewOf = (k: StoredKey) => listed.find((v) => v.kid === k.kid)!;
  return { key: viewOf(key), forClients: forClients.map(viewOf), retired };
}

/** The key `kid`, or a NotFoundError naming the command that lists them. */
async function findKey(store: Store, raw: unknown): Promise<StoredKey> {
  const kid = check.requiredString(check.inputObject(raw).kid, 'KID');
  const key = (await store.listKeys()).find((k) => k.kid === kid);
  if (!key) throw new NotFoundError(`no signing key ${kid} (dev-op jwks list)`);
  return key;
}

export interface KeyChangeResult {
  key: KeyView;
  /** false when the key was already in the state asked for. */
  changed: boolean;
}

/**
 * Make a key the active one (`jwks activate KID`): typically the one `rotate --publish-only` put
 * in the JWKS earlier, so apps that cache the JWKS already know it when it starts signing. The
 * key that signed until now stays published (state published) for the tokens it signed.
 */
export async function activateKey(store: Store, clock: Clock, raw: unknown): Promise<KeyChangeResult> {
  const key = await findKey(store, raw);
  if (key.status === 'retired') throw new UsageError(`key ${key.kid} is retired: it is no longer published, so apps would not trust it; rotate for a new key`);
  const keys = newestFirst(await store.listKeys());
  if (activeKey(keys)?.kid === key.kid) return { key: views(keys, await store.listClients()).find((v) => v.kid === key.kid)!, changed: false };
  // Strictly later than every activation so far, so this key outranks the one signing now.
  const latest = Math.max(...keys.map((k) => Date.parse(activatedAt(k))));
  const at = new Date(Math.max(clock.now(), latest + 1)).toISOString();
  await store.updateKey(key.kid, ({ status: _s, forRequestedAlg: _f, ...rest }) => ({ ...rest, activatedAt: at }));
  const listed = views(await store.listKeys(), await store.listClients());
  return { key: listed.find((v) => v.kid === key.kid)!, changed: true };
}

/**
 * Stop publishing a key (`jwks retire KID`): it leaves the JWKS, and tokens it signed no longer
 * verify, here or at an app that refetches the JWKS. The key that signs cannot be retired.
 */
export async function retireKey(store: Store, raw: unknown): Promise<KeyChangeResult> {
  const key = await findKey(store, raw);
  const keys = newestFirst(await store.listKeys());
  const clients = await store.listClients();
  if (key.status === 'retired') return { key: views(keys, clients).find((v) => v.kid === key.kid)!, changed: false };
  if (activeKey(keys)?.kid === key.kid) {
    const only = keys.filter(isPublished).length === 1;
    throw new UsageError(
      `key ${key.kid} is the ${only ? 'only' : 'active'} signing key: retiring it would leave nothing to sign with; ` +
        'first `dev-op jwks rotate --publish-only`, then `dev-op jwks activate <new kid>`, then retire this one',
    );
  }
  await store.updateKey(key.kid, (k) => ({ ...k, status: 'retired' }));
  return { key: views(await store.listKeys(), clients).find((v) => v.kid === key.kid)!, changed: true };
}
