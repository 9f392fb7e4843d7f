import type { JWK } from 'jose';
import { generateSigningKey } from '../keys/generate.js';
import { activeKey, keyForAlg, newestFirst } from '../keys/keyring.js';
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
}

export interface RotateInput {
  /** Default: the current signing key's alg, or RS256 when there is none. */
  alg?: SigningAlg;
  /** Remove every other key, so tokens they signed stop verifying. */
  retire?: boolean;
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
    if (key !== active && asking.length > 0 && keyForAlg(newest, key.alg) === key) {
      signs.push(`ID tokens of ${asking.join(', ')} (asks ${key.alg})`);
    }
    return { kid: key.kid, alg: key.alg, createdAt: key.createdAt, active: key === active, signs };
  });
}

export async function listKeys(store: Store): Promise<KeyView[]> {
  return views(await store.listKeys(), await store.listClients());
}

/** The public JWKS (what /jwks serves): public members only, newest first. */
export async function exportJwks(store: Store): Promise<{ keys: JWK[] }> {
  return { keys: newestFirst(await store.listKeys()).map((k) => publicJwk(k.jwk)) };
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
  // Strictly newer than every stored key, so each new key outranks the one it replaces.
  const newest = current[0] ? Date.parse(current[0].createdAt) : -Infinity;
  const createdAt = new Date(Math.max(clock.now(), newest + 1));
  const key = await generateSigningKey(alg, createdAt);
  const forClients = await Promise.all(requestedAlgs(clients, alg).map(async (other) => ({
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
