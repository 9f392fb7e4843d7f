/** dev-op's programmatic API: what a test suite's globalSetup imports. Re-exports only. */
export { startDevOp, type DevOpOptions, type FeatureOptions } from './app/start-dev-op.js';
export { startServer, type StartOptions, type RunningServer } from './app/start-server.js';
export type { DevOp, DevOpDiscovery, DevOpIssuers } from './app/dev-op.js';
export type { IssuerView } from './admin/issuers.js';
export type { ClientMetadata } from './app/client-metadata.js';
export type { DevClock } from './app/dev-clock.js';
export type { DevOpInspector, Flow, FoundLint, InspectorReport, Lint, LintCode, ReadFilter, Step } from './app/inspector.js';
export type { LoginAsOptions, LoginAsResult, LoginAsTokens } from './app/login-as.js';
export { DEFAULTS, ROUTES } from './config/defaults.js';
// A data file is opened under its lock, as before the lock moved to app/.
export { openDataStore as openStore, type DataStoreOptions as OpenStoreOptions } from './app/open-data-store.js';
export type { Store, Client, User, StoredKey, SigningAlg, GrantType, TokenEndpointAuthMethod, TrustedIssuer } from './store/types.js';
export { connect, type Connection, type DataTarget, type StoreTarget, type SharedTarget, type Outcome } from './app/connect.js';
export { operations, runOperation, type OperationName, type OperationContext } from './admin/operations.js';
export type { ClientAddInput, ClientAddResult } from './admin/clients.js';
export type { ClientUpdateInput } from './admin/client-update.js';
export type { UserAddInput, UserAddResult, UserView } from './admin/users.js';
export type { UserUpdateInput } from './admin/user-update.js';
export type { InitialAccessToken } from './admin/registration.js';
export {
  parseFixture, readFixture, applyFixture, exportFixture, resetStore, withHashedPasswords,
  type Fixture, type FixtureSettings, type ResetResult,
} from './admin/fixture.js';
export type { KeyView, KeyState, KeyChangeResult, RotateInput, RotateResult } from './admin/keys.js';
export type { MintInput, MintResult } from './admin/tokens.js';
export type { FaultInput } from './admin/faults.js';
export type { FaultRule, FaultSpec, FaultKind, FaultEndpoint } from './util/faults.js';
export { seed, defaultClient, defaultUser, DEFAULT_CLIENT_ID, DEFAULT_USERNAME } from './admin/seed.js';
export { hashPassword } from './util/password.js';
export type { DevOpEvents, EventStream, EventType } from './util/events.js';
export * from './errors/index.js';
