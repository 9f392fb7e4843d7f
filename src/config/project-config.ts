import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors/app-errors.js';
import { didYouMean } from '../util/closest.js';
import { defaultFeatures, withDisabled } from './features.js';

/**
 * A project's start options, kept with the project: `dev-op.config.json`, or a `"devOp"` object in
 * package.json, found walking up from the current folder like the data folder is. Precedence:
 * command-line flags > environment (`DEV_OP_PORT`, `DEV_OP_ISSUER`, …) > this file > defaults.
 *
 *   { "port": 4000, "issuer": "http://localhost:4000", "seed": "test/op.json", "autoLogin": "alice", "quiet": true }
 */
export interface StartConfig {
  port?: number;
  host?: string;
  issuer?: string;
  data?: string;
  memory?: boolean;
  seed?: string;
  autoLogin?: string;
  templates?: string;
  log?: 'pretty' | 'json';
  trustProxy?: boolean;
  quiet?: boolean;
  open?: boolean;
  /** Protocol features to switch off (config/features.ts FEATURE_FLAG_NAMES), e.g. ["par", "dpop"]. */
  disable?: string[];
  /** RFC 9126: every client must push its authorization requests. */
  requirePar?: boolean;
  /** Accept unsigned (alg none) request objects. */
  allowUnsignedRequestObjects?: boolean;
  /** RFC 9449 8 / 9: demand a server-provided DPoP-Nonce in every DPoP proof (features.dpop.nonce). */
  dpopNonce?: boolean;
  /** RFC 7591 3: registering at /reg needs an initial access token (`dev-op registration token`). */
  registrationTokenRequired?: boolean;
  /** The OP's clock ahead ("5m") or behind ("-5m") the system's (`--clock-skew`). */
  clockSkew?: string;
  /** A rotated refresh token's grace period, "2s" or seconds (--refresh-reuse-interval). */
  refreshReuseInterval?: string | number;
  /** A shared store instead of the data file: redis://HOST:PORT/DB (`--store`, DEV_OP_STORE). */
  store?: string;
  storePrefix?: string;
  /** Register unknown clients on the fly (loopback redirect URIs only; features.acceptAnyClient). */
  acceptAnyClient?: boolean;
}

type Kind = 'port' | 'string' | 'path' | 'boolean' | 'log' | 'list' | 'duration';

/** Every key, what it holds (paths are relative to the file that names them). */
const KEYS: Record<keyof StartConfig, Kind> = {
  port: 'port', host: 'string', issuer: 'string', data: 'path', memory: 'boolean', seed: 'path',
  autoLogin: 'string', templates: 'path', log: 'log', trustProxy: 'boolean', quiet: 'boolean', open: 'boolean',
  disable: 'list', requirePar: 'boolean', allowUnsignedRequestObjects: 'boolean',
  dpopNonce: 'boolean',
  registrationTokenRequired: 'boolean',
  clockSkew: 'string',
  refreshReuseInterval: 'duration',
  store: 'string', storePrefix: 'string',
  acceptAnyClient: 'boolean',
};
export const START_CONFIG_KEYS = Object.keys(KEYS) as (keyof StartConfig)[];

const CONFIG_FILE = 'dev-op.config.json';

const EXPECTED: Record<Kind, string> = {
  port: 'a port number (0-65535)',
  string: 'a non-empty string',
  path: 'a path (a non-empty string)',
  boolean: 'true or false',
  log: '"pretty" or "json"',
  list: 'a list of names, e.g. ["par"] (comma-separated in an environment variable)',
  duration: 'a duration such as "2s" or a number of seconds',
};

/** One value from JSON, or undefined if it is not what `kind` needs. */
function fromJson(kind: Kind, value: unknown): StartConfig[keyof StartConfig] | undefined {
  switch (kind) {
    case 'port': return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535 ? value : undefined;
    case 'boolean': return typeof value === 'boolean' ? value : undefined;
    case 'log': return value === 'pretty' || value === 'json' ? value : undefined;
    case 'list': return Array.isArray(value) && value.every((v) => typeof v === 'string' && v.trim() !== '') ? [...value] as string[] : undefined;
    case 'duration': return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fromJson('string', value);
    default: return typeof value === 'string' && value.trim() !== '' ? value : undefined;
  }
}

/** One value from an environment variable (always a string). */
function fromEnv(kind: Kind, value: string): StartConfig[keyof StartConfig] | undefined {
  switch (kind) {
    case 'port': return /^\d{1,5}$/.test(value) ? fromJson('port', Number(value)) : undefined;
    case 'boolean': return /^(1|true|yes|on)$/i.test(value) ? true : /^(0|false|no|off)$/i.test(value) ? false : undefined;
    case 'list': return fromJson('list', value.split(/[\s,]+/).filter(Boolean));
    default: return fromJson(kind, value);
  }
}

/** `autoLogin` → `DEV_OP_AUTO_LOGIN`. */
export function envName(key: keyof StartConfig): string {
  return `DEV_OP_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** Start options from `DEV_OP_*` variables; a bad value names the variable. An empty one counts as unset. */
export function startConfigFromEnv(env: NodeJS.ProcessEnv): StartConfig {
  const config: Record<string, unknown> = {};
  for (const key of START_CONFIG_KEYS) {
    const raw = env[envName(key)];
    if (raw === undefined || raw === '') continue;
    const value = fromEnv(KEYS[key], raw);
    if (value === undefined) throw new ConfigError(`${envName(key)}=${raw} is not ${EXPECTED[KEYS[key]]}`);
    if (key === 'disable') withDisabled(defaultFeatures(), value as string[], envName(key));
    config[key] = KEYS[key] === 'path' ? resolve(value as string) : value;
  }
  return config as StartConfig;
}

/** Validate a config object; `where` names it in errors (`dev-op.config.json: …`, `package.json: devOp.…`). */
export function parseStartConfig(raw: unknown, file: string, prefix = ''): StartConfig {
  const what = prefix === '' ? file : `${file}: ${prefix.slice(0, -1)}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${what} must be a JSON object of start options (${START_CONFIG_KEYS.join(', ')})`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(KEYS, key)) {
      throw new ConfigError(`${file}: ${prefix}${key}: unknown key${didYouMean(key, START_CONFIG_KEYS)} (known: ${START_CONFIG_KEYS.join(', ')})`);
    }
    const kind = KEYS[key as keyof StartConfig];
    const parsed = fromJson(kind, value);
    if (parsed === undefined) throw new ConfigError(`${file}: ${prefix}${key}: must be ${EXPECTED[kind]}, not ${JSON.stringify(value)}`);
    // An unknown feature name is named where it was written.
    if (key === 'disable') withDisabled(defaultFeatures(), parsed as string[], `${file}: ${prefix}disable`);
    // A path in the file means a path in the project, wherever the command runs.
    config[key] = kind === 'path' ? resolve(dirname(file), parsed as string) : parsed;
  }
  return config as StartConfig;
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}

const isFile = async (path: string) => (await stat(path).catch(() => undefined))?.isFile() === true;

/**
 * The project's config, walking up from `cwd`: the nearest `dev-op.config.json`, or a `"devOp"`
 * object in the nearest package.json (whichever is nearer; the file wins in one folder). Only the
 * nearest package.json is asked: one above it belongs to another project. Undefined when none.
 */
export async function loadProjectConfig(cwd: string): Promise<{ file: string; config: StartConfig } | undefined> {
  let askedPackage = false;
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    const file = join(dir, CONFIG_FILE);
    if (await isFile(file)) return { file, config: parseStartConfig(await readJson(file), file) };
    const pkg = join(dir, 'package.json');
    if (!askedPackage && (await isFile(pkg))) {
      askedPackage = true;
      const json = await readJson(pkg);
      const devOp = typeof json === 'object' && json !== null ? (json as Record<string, unknown>).devOp : undefined;
      if (devOp !== undefined) return { file: pkg, config: parseStartConfig(devOp, pkg, 'devOp.') };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Layers merged lowest first; a layer's undefined keeps what is below it. */
export function mergeStartConfig(...layers: StartConfig[]): StartConfig {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) for (const [key, value] of Object.entries(layer)) if (value !== undefined) merged[key] = value;
  return merged as StartConfig;
}
