import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readPrivateFile } from './private-files.js';
import { writeFileAtomic } from '../store/atomic-json-file.js';

/**
 * The last `dev-op login`'s tokens, kept for `dev-op token refresh` next to the data file as
 * `<data>.login.json`: written atomically with mode 0600 (it holds a refresh token), replaced by
 * every login and refresh.
 */
export interface LoginRecord {
  issuer: string;
  client_id: string;
  /** The token response, with a refresh's answer merged over it (RFC 6749 6: a refresh may omit the refresh and ID tokens). */
  tokens: Record<string, unknown>;
  /** When the tokens were received (ISO 8601): expires_in counts from here. */
  received_at: string;
}

export function loginRecordPath(dataPath: string): string {
  return `${resolve(dataPath)}.login.json`;
}

export async function saveLogin(dataPath: string, record: LoginRecord): Promise<void> {
  const path = loginRecordPath(dataPath);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`);
}

/** The saved login, or undefined when there is none (or it is not one: then a new login replaces it). */
export async function readLogin(dataPath: string): Promise<LoginRecord | undefined> {
  // It names the issuer a client's secret is sent to: only a file of this user's own is believed.
  const text = await readPrivateFile(loginRecordPath(dataPath));
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Partial<LoginRecord>;
  if (typeof r.issuer !== 'string' || typeof r.client_id !== 'string' || typeof r.tokens !== 'object' || r.tokens === null) return undefined;
  return { issuer: r.issuer, client_id: r.client_id, tokens: r.tokens, received_at: typeof r.received_at === 'string' ? r.received_at : '' };
}
