/** dev-op's programmatic API: what a test suite's globalSetup imports. Re-exports only. */
export { startServer, type StartOptions, type RunningServer } from './provider/start-server.js';
export { createProvider, type CreatedProvider } from './provider/create.js';
export { providerConfig, type ProviderConfig } from './config/provider-config.js';
export { DEFAULTS, ROUTES } from './config/defaults.js';
export { MemoryStore, FileStore } from './store/index.js';
// A data file is opened under its lock, as before the lock moved to app/.
export { openDataStore as openStore, type DataStoreOptions as OpenStoreOptions } from './app/open-data-store.js';
export type { Store, Client, User, StoredKey, SigningAlg, GrantType, TokenEndpointAuthMethod } from './store/types.js';
export { connect, type Connection, type DataTarget, type StoreTarget, type Outcome } from './app/connect.js';
export { operations, runOperation, type OperationName, type OperationContext } from './admin/operations.js';
export type { ClientAddInput, ClientAddResult } from './admin/clients.js';
export type { ClientUpdateInput } from './admin/client-update.js';
export type { UserAddInput, UserAddResult } from './admin/users.js';
export type { UserUpdateInput } from './admin/user-update.js';
export {
  parseFixture, readFixture, applyFixture, exportFixture, resetStore, withHashedPasswords,
  type Fixture, type FixtureSettings, type ResetResult,
} from './admin/fixture.js';
export { seed, defaultClient, defaultUser, DEFAULT_CLIENT_ID, DEFAULT_USERNAME } from './admin/seed.js';
export { hashPassword } from './util/password.js';
export type { DevOpEvents, EventStream, EventType } from './util/events.js';
export * from './errors/index.js';
