/** The shapes of dev-op's data that callers above app (the CLI, the API) name: defined once, in store/types.ts. */
export type { Client, StoredKey, TrustedIssuer, User } from '../store/types.js';
