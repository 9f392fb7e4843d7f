import type { JWK } from 'jose';
import { generateSigningKey } from '../keys/generate.js';
import { newestFirst } from '../keys/keyring.js';
import { publicJwk } from '../keys/public-jwk.js';
import type { SigningAlg, Store, StoredKey } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import * as check from './validate.js';

/** A signing key as listed: never its private members. */
export interface KeyView {
  kid: string;
  alg: SigningAlg;
  createdAt: string;
  /** The newest key signs; the others only verify. */
  active: boolean;
}

export interface RotateInput {
  /** Default: the current signing key's alg, or RS256 when there is none. */
  alg?: SigningAlg;
  /** Remove every other key, so tokens they signed stop verifying. */
  retire?: boolean;
}

export interface RotateResult {
  key: KeyView;
  retired: string[];
}

function view(key: StoredKey, active: boolean): KeyView {
  return { kid: key.kid, alg: key.alg, createdAt: key.createdAt, active };
}

export async function listKeys(store: Store): Promise<KeyView[]> {
  return newestFirst(await store.listKeys()).map((k, i) => view(k, i === 0));
}

/** The public JWKS (what /jwks serves): public members only, newest first. */
export async function exportJwks(store: Store): Promise<{ keys: JWK[] }> {
  return { keys: newestFirst(await store.listKeys()).map((k) => publicJwk(k.jwk)) };
}

/**
 * Add a new key that signs from now on. Older keys stay in the JWKS so the tokens they signed
 * keep verifying, until `retire` removes them. The caller tells the provider the keys changed.
 */
export async function rotateKey(store: Store, clock: Clock, raw: unknown): Promise<RotateResult> {
  const input = check.inputObject(raw) as RotateInput;
  const current = newestFirst(await store.listKeys());
  const alg = input.alg === undefined ? (current[0]?.alg ?? 'RS256') : check.signingAlg(input.alg);
  // Strictly newer than every stored key, so it is the one that signs even within one millisecond.
  const newest = current[0] ? Date.parse(current[0].createdAt) : -Infinity;
  const key = await generateSigningKey(alg, new Date(Math.max(clock.now(), newest + 1)));
  await store.addKey(key);
  const retired: string[] = [];
  if (input.retire === true) {
    for (const old of current) if (await store.removeKey(old.kid)) retired.push(old.kid);
  }
  return { key: view(key, true), retired };
}
