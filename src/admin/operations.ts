import type { SessionRecord } from '../store/records.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import type { FaultRules } from '../util/faults.js';
import type { RandomSource } from '../util/random.js';
import type { ClientUpdateInput } from './client-update.js';
import type { ClientAddInput } from './clients.js';
import type { FaultInput } from './faults.js';
import type { Fixture } from './fixture.js';
import type { InitInput } from './init.js';
import type { IssuerRegistry } from './issuers.js';
import type { ResourceAddInput, ResourceUpdateInput } from './resources.js';
import type { RotateInput } from './keys.js';
import type { SeedOptions } from './seed.js';
import type { TrustAddInput } from './trust.js';
import type { MintInput } from './tokens.js';
import type { UserUpdateInput } from './user-update.js';
import type { UserAddInput } from './users.js';

/** What an operation runs against: a store, and the provider's issuer, clock and key cache. */
export interface OperationContext {
  store: Store;
  issuer: string;
  clock: Clock;
  /** The instance's random source: generated secrets and ids (seeded in deterministic mode). */
  random: RandomSource;
  /** Tell the provider (if any) that the signing keys changed, so the next token uses the new one. */
  keysChanged(): void;
  /**
   * Tell the provider (if any) that these sessions were ended by an operation (a user removed),
   * so the clients that took part in them hear of it (OIDC Back-Channel Logout 1.0).
   */
  sessionsEnded?(sessions: SessionRecord[]): Promise<void>;
  /** The fixture the running instance started with (`--seed`, `fixture:`): what `reset` goes back to. */
  fixture?: Fixture;
  /** The running instance's fault rules; absent where no server runs (fault operations then refuse). */
  faults?: FaultRules;
  /** The running server's named issuers (`issuer add|list|remove`); absent where no server runs. */
  issuers?: IssuerRegistry;
}

export interface Operation<I, R> {
  /** Changes the store: runs under the data file's lock (or in the server), and is flushed before it is acknowledged. */
  readonly writes: boolean;
  /**
   * Needs a usable store: a new data file first gets what `dev-op start` would create (key,
   * default client and user), less a default named like what this input adds; false: nothing.
   */
  readonly seeds: false | ((input: unknown) => SeedOptions);
  run(ctx: OperationContext, input: I): Promise<R>;
}

const read = <I, R>(run: Operation<I, R>['run']): Operation<I, R> => ({ writes: false, seeds: false, run });
const write = <I, R>(run: Operation<I, R>['run'], seeds: Operation<I, R>['seeds'] = () => ({})): Operation<I, R> => ({ writes: true, seeds, run });

/** The id argument of show/remove; over the wire it may be anything. */
const idOf = (input: unknown, key: string): unknown =>
  typeof input === 'object' && input !== null ? (input as Record<string, unknown>)[key] : undefined;

// Each noun's module is loaded by the first operation that needs it: a CLI process runs one
// operation, and `user list` need not load what key rotation or token minting use.
const clients = () => import('./clients.js');
const users = () => import('./users.js');
const keys = () => import('./keys.js');
const fixtures = () => import('./fixture.js');
const registration = () => import('./registration.js');
const resources = () => import('./resources.js');
const trust = () => import('./trust.js');

/**
 * Every management operation by name: the CLI runs them on the data file or sends them to the
 * running server's admin endpoint, which runs them here too. Inputs are validated by the
 * operations themselves (src/admin/*), since JSON from the wire may be anything.
 */
export const operations = {
  'client.add': write(async (ctx, input: ClientAddInput) => (await clients()).addClient(ctx.store, input, ctx.random), (input) => ({ adding: { clientId: idOf(input, 'id') } })),
  'client.update': write(async (ctx, input: ClientUpdateInput) => (await import('./client-update.js')).updateClient(ctx.store, input, ctx.random)),
  'client.list': read(async (ctx, _input: Record<string, never>) => (await clients()).listClients(ctx.store)),
  'client.show': read(async (ctx, input: { id: string }) => (await clients()).showClient(ctx.store, idOf(input, 'id'))),
  'client.remove': write(async (ctx, input: { id: string }) => (await clients()).removeClient(ctx.store, idOf(input, 'id'))),
  'user.add': write(async (ctx, input: UserAddInput) => (await users()).addUser(ctx.store, input), (input) => ({ adding: { username: idOf(input, 'username') } })),
  'user.update': write(async (ctx, input: UserUpdateInput) => (await import('./user-update.js')).updateUser(ctx.store, input)),
  'user.list': read(async (ctx, _input: Record<string, never>) => (await users()).listUsers(ctx.store)),
  'user.show': read(async (ctx, input: { username: string }) => (await users()).showUser(ctx.store, idOf(input, 'username'))),
  'user.remove': write(async (ctx, input: { username: string }) => (await users()).removeUser(ctx.store, idOf(input, 'username'), ctx.sessionsEnded)),
  'resource.add': write(async (ctx, input: ResourceAddInput) => (await resources()).addResource(ctx.store, input)),
  'resource.update': write(async (ctx, input: ResourceUpdateInput) => (await resources()).updateResource(ctx.store, input)),
  'resource.list': read(async (ctx, _input: Record<string, never>) => (await resources()).listResources(ctx.store)),
  'resource.show': read(async (ctx, input: { resource: string }) => (await resources()).showResource(ctx.store, idOf(input, 'resource'))),
  'resource.remove': write(async (ctx, input: { resource: string }) => (await resources()).removeResource(ctx.store, idOf(input, 'resource'))),
  'jwks.list': read(async (ctx, _input: Record<string, never>) => (await keys()).listKeys(ctx.store)),
  'jwks.export': read(async (ctx, _input: Record<string, never>) => (await keys()).exportJwks(ctx.store)),
  'jwks.rotate': write(async (ctx, input: RotateInput) => {
    const result = await (await keys()).rotateKey(ctx.store, ctx.clock, input);
    ctx.keysChanged();
    return result;
  }),
  // Fault rules are the running server's memory, not data: nothing to write, under no lock.
  'fault.add': read(async (ctx, input: FaultInput) => (await import('./faults.js')).addFault(ctx.store, ctx.faults, input)),
  'fault.list': read(async (ctx, _input: Record<string, never>) => (await import('./faults.js')).listFaults(ctx.faults)),
  'fault.clear': read(async (ctx, _input: Record<string, never>) => (await import('./faults.js')).clearFaults(ctx.faults)),
  // Named issuers are the server's: each has its own data file, written by the registry, not this store.
  'issuer.add': read(async (ctx, input: { name: string }) => (await import('./issuers.js')).registryOf(ctx.issuers).add(idOf(input, 'name') as string)),
  'issuer.list': read(async (ctx, _input: Record<string, never>) => (await import('./issuers.js')).registryOf(ctx.issuers).list()),
  'issuer.remove': read(async (ctx, input: { name: string }) => (await import('./issuers.js')).registryOf(ctx.issuers).remove(idOf(input, 'name') as string)),
  'jwks.activate': write(async (ctx, input: { kid: string }) => {
    const result = await (await keys()).activateKey(ctx.store, ctx.clock, input);
    ctx.keysChanged();
    return result;
  }, false),
  'jwks.retire': write(async (ctx, input: { kid: string }) => {
    const result = await (await keys()).retireKey(ctx.store, input);
    ctx.keysChanged();
    return result;
  }, false),
  'trust.add': write(async (ctx, input: TrustAddInput) => (await trust()).addTrustedIssuer(ctx.store, input)),
  'trust.list': read(async (ctx, _input: Record<string, never>) => (await trust()).listTrustedIssuers(ctx.store)),
  'trust.remove': write(async (ctx, input: { issuer: string }) => (await trust()).removeTrustedIssuer(ctx.store, idOf(input, 'issuer'))),
  'token.mint': write(async (ctx, input: MintInput) => (await import('./tokens.js')).mintToken(ctx, input)),
  export: read(async (ctx, input: { includeKeys?: boolean }) => (await fixtures()).exportFixture(ctx.store, { includeKeys: idOf(input, 'includeKeys') === true })),
  /** Back to `input.fixture` if given (validated: it may come over the wire), else to the instance's own. */
  reset: write(async (ctx, input: { fixture?: Fixture }) => {
    const { parseFixture, resetStore, withHashedPasswords } = await fixtures();
    const given = idOf(input, 'fixture');
    // A fixture from the wire is prepared as one read from a file is: plain passwords hashed.
    const fixture = given === undefined ? ctx.fixture : await withHashedPasswords(parseFixture(given, 'the reset fixture'));
    const result = await resetStore(ctx.store, fixture, ctx.clock);
    if (result.keysChanged) ctx.keysChanged();
    return result;
  }),
  init: write(async (ctx, input: InitInput) => (await import('./init.js')).initStore(ctx.store, input, ctx.random), false),
  /** RFC 7591 3: an initial access token for the registration endpoint. */
  'registration.token': write(async (ctx, input: { ttl?: string | number }) => (await registration()).mintInitialAccessToken(ctx, input)),
  /** RFC 7591 / 7592: what the registration endpoint (app/registration-endpoint.ts) runs. */
  'registration.add': write(async (ctx, input: ClientAddInput) => (await registration()).registerClient(ctx, input)),
  'registration.replace': write(async (ctx, input: ClientAddInput & { id: string }) => (await registration()).replaceRegisteredClient(ctx, input)),
} as const;

export type Operations = typeof operations;
export type OperationName = keyof Operations;
export type OperationInput<N extends OperationName> = Parameters<Operations[N]['run']>[1];
export type OperationResult<N extends OperationName> = Awaited<ReturnType<Operations[N]['run']>>;

export function isOperationName(name: unknown): name is OperationName {
  return typeof name === 'string' && Object.hasOwn(operations, name);
}

/**
 * Run one operation by name. Input typed for local callers; the admin endpoint passes parsed JSON.
 * One that writes is all or nothing, and on disk when this resolves (applyDurably).
 */
export async function runOperation<N extends OperationName>(ctx: OperationContext, name: N, input: OperationInput<N>): Promise<OperationResult<N>> {
  const op = operations[name] as Operation<OperationInput<N>, OperationResult<N>>;
  if (!op.writes) return op.run(ctx, input);
  const { applyDurably } = await import('./durable.js');
  return applyDurably(ctx, (durable) => op.run(durable, input));
}
