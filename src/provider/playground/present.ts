import { explainError } from '../../views/page-helpers.js';
import type { ViewModel } from '../../views/render.js';
import type { Check, HttpResult, InspectedToken, Redeemed } from './relying-party.js';

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time', 'updated_at']);

/** "in 59 min", "3 s ago": how far `at` is from `now`, both epoch seconds. */
export function relative(at: number, now: number): string {
  const d = at - now;
  const abs = Math.abs(d);
  if (abs < 2) return 'now';
  const amount = abs < 90 ? `${abs} s` : abs < 90 * 60 ? `${Math.round(abs / 60)} min` : abs < 36 * 3600 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
  return d >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** Claims as table rows: strings as they are, anything else as JSON, times with a human reading. */
export function claimRows(claims: Record<string, unknown> | undefined, nowSeconds: number): ViewModel[] {
  if (!claims) return [];
  return Object.entries(claims).map(([name, value]) => {
    const row: ViewModel = { name, value: typeof value === 'string' ? value : JSON.stringify(value) };
    if (TIME_CLAIMS.has(name) && typeof value === 'number') {
      row.time = new Date(value * 1000).toISOString();
      row.note = `${row.time.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')} · ${relative(value, nowSeconds)}`;
    }
    return row;
  });
}

function checks(list: Check[]): ViewModel[] {
  return list.map((c) => ({ ok: c.ok, text: c.text }));
}

/** A JWT as its three coloured parts (header, payload, signature), jwt.io style. */
function rawParts(raw: string): ViewModel[] {
  const parts = raw.split('.');
  if (parts.length !== 3) return [{ text: raw, part: 'o' }];
  return [
    { text: parts[0]!, part: 'h' },
    { text: `.${parts[1]!}`, part: 'p' },
    { text: `.${parts[2]!}`, part: 's' },
  ];
}

function tokenView(token: InspectedToken | undefined, now: number): ViewModel | undefined {
  if (!token) return undefined;
  return {
    format: token.format === 'jwt' ? 'JWT' : 'opaque',
    jwt: token.format === 'jwt',
    verified: token.checks.length > 0 && token.checks.every((c) => c.ok),
    header: claimRows(token.header, now),
    claims: claimRows(token.claims, now),
    source: token.source,
    checks: checks(token.checks),
    rawParts: rawParts(token.raw),
  };
}

function httpError(res: HttpResult): ViewModel {
  const error = typeof res.body?.error === 'string' ? res.body.error : `HTTP ${res.status}`;
  const description = typeof res.body?.error_description === 'string' ? res.body.error_description : (res.text ?? '').slice(0, 300);
  return { status: res.status, error, description, explanation: explainError(error) };
}

/** The result page's model for a redeemed code. */
export function present(r: Redeemed, nowMs: number): ViewModel {
  const now = Math.floor(nowMs / 1000);
  if (r.token.status !== 200 || !r.token.body) return { tokenError: httpError(r.token) };
  const body = r.token.body;
  const refresh = typeof body.refresh_token === 'string' ? body.refresh_token : undefined;
  const userinfo = r.userinfo;
  return {
    response: [
      { name: 'token_type', value: String(body.token_type ?? '') },
      { name: 'expires_in', value: body.expires_in === undefined ? '' : `${String(body.expires_in)} s` },
      { name: 'scope', value: String(body.scope ?? '') },
      // A refresh token is a long-lived credential: shown only by its first characters.
      { name: 'refresh_token', value: refresh ? `${refresh.slice(0, 8)}… (rotated on every use)` : 'none (request offline_access)' },
    ],
    idToken: tokenView(r.idToken, now),
    accessToken: tokenView(r.accessToken, now),
    userinfo: userinfo && (userinfo.status === 200
      ? { ok: true, claims: claimRows(userinfo.body, now), checks: checks(userinfo.checks) }
      : { ok: false, failure: httpError(userinfo) }),
  };
}
