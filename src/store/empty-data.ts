import { SCHEMA_VERSION, type DataFile } from './types.js';

/** A fresh data file: what a new project starts from, and what `--memory` holds. */
export function emptyData(): DataFile {
  return { version: SCHEMA_VERSION, meta: {}, cookieKeys: [], keys: [], clients: [], users: [], resources: [], trustedIssuers: [], state: {} };
}
