import { SafeHtml, escapeHtml, type ViewModel, type ViewValue } from './html.js';

/**
 * Derived fields a page needs that the action should not have to know about (plain-word
 * explanations, avatar colours), added to the model just before rendering. A field the action
 * set itself wins, so an action (or an override template's model) stays in charge.
 */
export function withPageHelpers(page: string, model: ViewModel): ViewModel {
  const helper = Object.hasOwn(HELPERS, page) ? HELPERS[page]! : undefined;
  return helper ? { ...model, ...helper(model) } : model;
}

type Helper = (model: ViewModel) => ViewModel;

const HELPERS: Record<string, Helper> = {
  error: (m) => {
    const explanation = isPlainRecord(m.explanation) ? m.explanation : explainError(str(m.error));
    const generic = Array.isArray(explanation.checks) ? (explanation.checks as SafeHtml[]) : [];
    // The provider's own hint (names, URIs, the command to run) comes first, then the general advice.
    return { explanation, checkItems: [...hintItems(str(m.hint)), ...generic] };
  },
  login: (m) => ({ users: withTones(m.users), ...withClientInitials(m) }),
  home: (m) => ({ users: withTones(m.users) }),
  consent: (m) => ({
    ...(isPlainRecord(m.user) ? { user: { tone: tone(str(m.user.username)), initials: initials(str(m.user.name) || str(m.user.username)), ...m.user } } : {}),
    ...withClientInitials(m),
  }),
  'device-confirm': (m) => withClientInitials(m),
};

function withClientInitials(m: ViewModel): ViewModel {
  return isPlainRecord(m.client) ? { client: { initials: initials(str(m.client.name)), ...m.client } } : {};
}

/** Up to two initials of a display name: "Alice Example" → "AE", "web" → "W". */
export function initials(name: string): string {
  const parts = name.trim().split(/[\s._-]+/).filter(Boolean);
  return parts.slice(0, 2).map((p) => [...p][0]!.toUpperCase()).join('') || '?';
}

function isPlainRecord(v: ViewValue): v is ViewModel {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof SafeHtml);
}

function str(v: ViewValue): string {
  return typeof v === 'string' ? v : '';
}

/** One of six avatar colours (CSS classes tone-0 … tone-5), stable per username. */
export function tone(key: string): number {
  let h = 5381; // djb2 (xor variant)
  for (const ch of key) h = ((h * 33) ^ ch.codePointAt(0)!) >>> 0;
  return h % 6;
}

function withTones(users: ViewValue): ViewValue {
  if (!Array.isArray(users)) return users;
  return (users as ViewValue[]).filter(isPlainRecord).map((u) => ({ tone: tone(str(u.username) || str(u.name)), ...u }));
}

/**
 * A hint such as "registered: http://a, http://b; run `dev-op client show web`" as list items:
 * one per "; "-separated part, backticked spans as <code>. Everything is escaped first.
 */
export function hintItems(hint: string): SafeHtml[] {
  return hint.split(/;\s+/).filter((part) => part.trim()).map((part) => formatInline(part));
}

interface Explanation extends ViewModel {
  summary: string;
  checks: SafeHtml[];
}

/** RFC 6749 / OIDC error codes in plain words, with what a developer should look at. */
const EXPLANATIONS: Record<string, { summary: string; checks: string[] }> = {
  invalid_request: {
    summary: 'The request is missing a parameter, repeats one, or has a value dev-op cannot accept.',
    checks: ['Compare the URL or form your app sent with the description above.', 'Each OAuth parameter may appear only once.'],
  },
  invalid_client: {
    summary: 'dev-op does not know this client, or the client could not prove who it is.',
    checks: ['The client_id is spelled exactly as registered: `dev-op client list`.', 'The secret and authentication method match `dev-op client show <id>`.'],
  },
  invalid_redirect_uri: {
    summary: 'The redirect_uri is not one the client registered, so dev-op will not send anyone there.',
    checks: ['redirect_uri must match a registered one exactly: scheme, host, port, path and trailing slash.'],
  },
  unauthorized_client: {
    summary: 'This client is registered, but not for this kind of request (grant or response type).',
    checks: ['The grant types and response types in `dev-op client show <id>`.'],
  },
  access_denied: {
    summary: 'The user, or dev-op on their behalf, said no to this request.',
    checks: ['Start again from the application and choose Allow.'],
  },
  unsupported_response_type: {
    summary: 'dev-op does not support the response_type the app asked for.',
    checks: ['Use response_type=code (with PKCE): it is what current OAuth guidance recommends.'],
  },
  unsupported_grant_type: {
    summary: 'The token endpoint does not know this grant_type.',
    checks: ['grant_types_supported in the discovery document lists the ones that work.'],
  },
  invalid_scope: {
    summary: 'A requested scope is unknown, or not allowed for this client.',
    checks: ['Standard scopes: openid profile email address phone offline_access.', 'Custom scopes must be registered on the client (`--scope`).'],
  },
  invalid_grant: {
    summary: 'The code or refresh token is invalid, expired, already used, or was issued to another client.',
    checks: ['A code works once and only for the redirect_uri and PKCE verifier it was issued with.'],
  },
  login_required: {
    summary: 'The app asked for a silent sign-in (prompt=none), but nobody is signed in to dev-op in this browser.',
    checks: ['Let the app fall back to an interactive sign-in.'],
  },
  consent_required: {
    summary: 'The app asked for a silent sign-in (prompt=none), but the user has not yet allowed this client.',
    checks: ['Let the app fall back to an interactive sign-in.'],
  },
  request_not_supported: {
    summary: 'Request objects (the request parameter) are switched off on this dev-op.',
    checks: ['Send the parameters in the URL or form instead, or start dev-op without --disable request-objects.'],
  },
  request_uri_not_supported: {
    summary: 'dev-op accepts a request_uri only from its own pushed authorization request endpoint (urn:ietf:params:oauth:request_uri:…); it does not fetch remote ones.',
    checks: ['Push the request to the PAR endpoint (pushed_authorization_request_endpoint in discovery), or send the parameters in the URL.'],
  },
  invalid_request_object: {
    summary: 'The request object (the request parameter) could not be verified.',
    checks: [
      'Sign it with a key in the client\'s jwks / jwks_uri, or with its client_secret for HS256/384/512.',
      'iss must be the client_id and aud the issuer; exp and nbf must hold.',
      'alg none is accepted only by a server started with --allow-unsigned-request-objects.',
    ],
  },
  invalid_request_uri: {
    summary: 'The request_uri is unknown, expired (they live 60 seconds), already used, or another client\'s.',
    checks: ['Push the request again right before redirecting the browser; each request_uri works once.'],
  },
  invalid_token: {
    summary: 'The access token is missing, malformed, expired or revoked.',
    checks: ['Inspect it with `dev-op token inspect <token>`.'],
  },
  not_found: {
    summary: 'There is no page at this address.',
    checks: ['The home page lists every endpoint dev-op serves.'],
  },
  server_error: {
    summary: 'dev-op hit an unexpected problem while handling this request.',
    checks: ['The server log on stderr has the details.'],
  },
};

const UNKNOWN = {
  summary: 'The request could not be completed.',
  checks: ['The description above says what went wrong.'],
};

export function explainError(code: string): Explanation {
  const found = Object.hasOwn(EXPLANATIONS, code) ? EXPLANATIONS[code]! : UNKNOWN;
  return { summary: found.summary, checks: found.checks.map(formatInline) };
}

/** Escape, then turn `backticked` spans into <code>. */
export function formatInline(text: string): SafeHtml {
  return new SafeHtml(escapeHtml(text).replace(/&#96;((?:(?!&#96;).)+)&#96;/g, '<code>$1</code>'));
}
