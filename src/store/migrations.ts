import { ConfigError } from '../errors/app-errors.js';
import { SCHEMA_VERSION, type DataFile } from './types.js';

type RawData = Record<string, unknown>;

/** One step: takes a file at version `from` and returns it at `from + 1`. */
interface Migration {
  from: number;
  up: (data: RawData) => RawData;
}

/**
 * Ordered, one step per version. To change the file's shape: bump SCHEMA_VERSION in types.ts and
 * append a step here; old files are upgraded in memory on read and saved on the next write.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    // v0 (pre-release) files had no protocol state and no cookie keys.
    from: 0,
    up: (data) => ({ ...data, version: 1, state: data.state ?? {}, cookieKeys: data.cookieKeys ?? [] }),
  },
  {
    // v2 remembers the last issuer (meta) and marks keys made for one client's alg, which v1
    // dated 1970-01-01 so that they would never sign access tokens.
    from: 1,
    up: (data) => ({
      ...data,
      version: 2,
      meta: {},
      keys: Array.isArray(data.keys) ? data.keys.map(markRequestedAlgKey) : data.keys,
    }),
  },
  {
    // v3 stores a JWT access token's record without what the JWT carries (scope, aud, iat,
    // auth_time) and forUser only when true. v2 records, which carry everything, read the same way
    // and stay as they are; the version goes up so that a v2 dev-op refuses the slimmer records
    // instead of misreading them.
    from: 2,
    up: (data) => ({ ...data, version: 3 }),
  },
  {
    // v4 (issue 12): resource servers (RFC 8707) and the issuers trusted for JWT bearer assertions
    // and token exchange (dev-op trust), new lists, empty for older files; clients may carry
    // subject_type / sector_identifier_uri (OIDC Core 8.1) and client_id_issued_at /
    // registration_access_token_hash (RFC 7591/7592), meta a pairwiseSalt, state
    // InitialAccessToken records. Those are optional, so v3 data reads unchanged (the salt is made
    // at the next start); the version goes up so that a v3 dev-op refuses the file instead of
    // giving pairwise clients the users' own sub.
    from: 3,
    up: (data) => ({ ...data, version: 4, resources: data.resources ?? [], trustedIssuers: data.trustedIssuers ?? [] }),
  },
];

function markRequestedAlgKey(key: unknown): unknown {
  return isObject(key) && key.createdAt === new Date(0).toISOString() ? { ...key, forRequestedAlg: true } : key;
}

function isObject(value: unknown): value is RawData {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Turn parsed JSON into a current DataFile, or explain (naming `file`) why it cannot be used. */
export function migrate(raw: unknown, file: string): DataFile {
  if (!isObject(raw) || typeof raw.version !== 'number' || !Number.isInteger(raw.version) || raw.version < 0) {
    throw new ConfigError(
      `${file} is not a dev-op data file (expected a JSON object with a numeric "version"). ` +
        'dev-op will not overwrite it; move it away or use --data to point elsewhere.',
    );
  }
  if (raw.version > SCHEMA_VERSION) {
    throw new ConfigError(
      `${file} has schema version ${raw.version} but this dev-op understands up to ${SCHEMA_VERSION}: ` +
        'it was written by a newer dev-op; upgrade dev-op or point --data elsewhere.',
    );
  }
  let data = raw;
  for (let version = raw.version; version < SCHEMA_VERSION; version++) {
    const step = MIGRATIONS.find((m) => m.from === version);
    if (!step) throw new ConfigError(`${file} has schema version ${version}, which dev-op cannot upgrade.`);
    data = step.up(data);
  }
  return checkShape(data, file);
}

/** After migration every top-level member must be there; a hand-edited file may still be wrong. */
function checkShape(data: RawData, file: string): DataFile {
  const arrays = ['cookieKeys', 'keys', 'clients', 'users', 'resources', 'trustedIssuers'] as const;
  const bad: string[] = arrays.filter((name) => !Array.isArray(data[name]));
  if (!isObject(data.state)) bad.push('state');
  if (!isObject(data.meta)) bad.push('meta');
  if (bad.length > 0) {
    throw new ConfigError(
      `${file} is missing or has the wrong type for: ${bad.join(', ')}. ` +
        'dev-op will not overwrite it; fix or move it, or use --data to point elsewhere.',
    );
  }
  // The members checked above are the whole shape; their contents are dev-op's own writes.
  return data as unknown as DataFile;
}
