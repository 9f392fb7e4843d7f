import type { Client, Store } from '../store/types.js';
import { createRandom, type RandomSource } from '../util/random.js';
import { addClient, type ClientAddInput } from './clients.js';
import { seed } from './seed.js';
import { addUser, userView, type UserAddInput, type UserView } from './users.js';
import * as check from './validate.js';

/** `dev-op init`: the answers of the guided set-up, or nothing for the defaults. */
export interface InitInput {
  client?: ClientAddInput;
  user?: UserAddInput;
}

export interface InitResult {
  location: string;
  /** What this run created (the client with its secret); empty when the store was set up already and nothing was asked. */
  created: { key?: { kid: string; alg: string }; client?: Client; user?: UserView };
  clients: number;
  users: number;
}

/**
 * Set a store up: a signing key if it has none, then either the given client and user (the guided
 * set-up) or, with no answers, the default client and user where there are none yet.
 */
export async function initStore(store: Store, raw: unknown, random: RandomSource = createRandom()): Promise<InitResult> {
  const input = check.inputObject(raw) as InitInput;
  const guided = input.client !== undefined || input.user !== undefined;
  const seeded = await seed(store, undefined, { defaults: !guided, random });
  const created: InitResult['created'] = {};
  if (seeded.key) created.key = { kid: seeded.key.kid, alg: seeded.key.alg };
  if (input.client !== undefined) created.client = (await addClient(store, input.client, random)).client;
  else if (seeded.client) created.client = seeded.client;
  if (input.user !== undefined) created.user = await addUser(store, input.user);
  else if (seeded.user) created.user = userView(seeded.user);
  return { location: store.location, created, clients: (await store.listClients()).length, users: (await store.listUsers()).length };
}
