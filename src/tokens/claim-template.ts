import type { Client } from '../store/types.js';

/**
 * Extra claims a client adds to its tokens (`--access-token-extra k=v`). A string value may hold
 * placeholders, and nothing else is a template: `{{user.<claim>}}` (the user's stored claim,
 * `{{user.sub}}` the subject) and `{{client.client_id}}`. A value that is exactly one placeholder
 * takes the claim's own value (an array stays an array) and is left out when the user has none;
 * inside a longer string a missing claim is empty.
 */
const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;
const KNOWN = /^(user\.[A-Za-z0-9_:.\-/]+|client\.client_id)$/;

/** The placeholders in `value` that are not part of the template language (empty when it is valid). */
export function unknownPlaceholders(value: string): string[] {
  return [...value.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !KNOWN.test(name));
}

export interface TemplateSubject {
  client: Pick<Client, 'client_id'>;
  /** Absent for a client's own token (client_credentials): user placeholders then resolve to nothing. */
  user?: { sub: string; claims: Record<string, unknown> };
}

function lookup(name: string, s: TemplateSubject): unknown {
  if (name === 'client.client_id') return s.client.client_id;
  const claim = name.slice('user.'.length);
  if (!s.user) return undefined;
  return claim === 'sub' ? s.user.sub : s.user.claims[claim];
}

/** The extra claims with their placeholders filled in for this user and client. */
export function renderExtras(extras: Record<string, unknown> | undefined, s: TemplateSubject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(extras ?? {})) {
    if (typeof value !== 'string' || !value.includes('{{')) {
      out[name] = value;
      continue;
    }
    const whole = /^\{\{\s*([^}]*?)\s*\}\}$/.exec(value);
    if (whole) {
      const resolved = lookup(whole[1]!, s);
      if (resolved !== undefined) out[name] = resolved;
      continue;
    }
    out[name] = value.replace(PLACEHOLDER, (_m, key: string) => {
      const resolved = lookup(key, s);
      if (resolved === undefined || resolved === null) return '';
      return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
    });
  }
  return out;
}
