import type { RawRequest, Rng } from './support.js';

/**
 * The fuzzer's request generator: deterministic for a seed. It aims at the code behind each
 * route, so most requests are *almost* valid (a registered client, the right method) with one or
 * more things wrong, and the rest are plain hostile.
 */

export interface FuzzTarget {
  methods: readonly string[];
  /** A route path with `:param` segments. */
  path: string;
}

export interface FuzzContext {
  port: number;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  adminToken: string;
  /** Body size limit of the server (bytes). */
  maxBody: number;
  /**
   * Real browser state (an interaction at its login or consent step, its cookies, the CSRF token),
   * so that some requests get past the CSRF and cookie checks into the code behind them.
   */
  browsers?: { uid: string; cookie: string; csrf: string }[];
}

const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url');

const OAUTH_PARAMS = [
  'client_id', 'redirect_uri', 'response_type', 'response_mode', 'scope', 'state', 'nonce', 'code_challenge',
  'code_challenge_method', 'prompt', 'max_age', 'login_hint', 'claims', 'acr_values', 'ui_locales', 'id_token_hint',
  'request', 'request_uri', 'grant_type', 'code', 'refresh_token', 'code_verifier', 'client_secret', 'client_assertion',
  'client_assertion_type', 'token', 'token_type_hint', 'user_code', 'device_code', 'post_logout_redirect_uri', 'logout',
  'csrf', 'username', 'password', 'decision', 'remember', 'access_token', 'resource', 'audience', 'error',
  'error_description', 'iss', 'extra_scope', 'scope_openid', '__proto__', 'constructor', 'prototype', 'toString',
  'hasOwnProperty', '__proto__[polluted]', 'constructor[prototype][polluted]', 'a[]', '',
];

const WEIRD_STRINGS = [
  '', ' ', 'null', 'undefined', 'NaN', '-1', '0', '1e309', '99999999999999999999999', 'true', '[object Object]',
  '__proto__', 'constructor', '{}', '[]', '"', "'", '\\', '../../etc/passwd', '..%2f..%2f', '%00', '\u0000', '\r\n',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', 'javascript:alert(1)', '${7*7}', '{{7*7}}',
  '\u202eevil', '\u200b\u200b', 'Ω≈ç√∫˜µ≤≥÷', '😀🔥💩', 'e\u0301\u0301\u0301', '\ufeff', '\uffff', 'ﬀ', 'İ',
  'a'.repeat(300), 'http://evil.example/cb', '//evil.example', 'http://localhost:3000/callback/../evil',
  'http://localhost:3000@evil.example/callback', 'data:text/html,<script>alert(1)</script>',
];

const JSON_VALUES = [
  '{}', '[]', 'null', '1', '"x"', '{"userinfo":{"email":null}}', '{"id_token":{"acr":{"essential":true}}}',
  '{"__proto__":{"polluted":1}}', '{"constructor":{"prototype":{"polluted":1}}}', '{"userinfo":"x"}', '{', '{"a":',
  `${'['.repeat(3000)}${']'.repeat(3000)}`, '{"a":1,"a":2}', '{"userinfo":{"__proto__":{"essential":true}}}',
];

function randomString(rng: Rng, max = 40): string {
  const alphabets = [
    'abcdefghijklmnopqrstuvwxyz0123456789-_.~',
    '!"#$%&\'()*+,/:;<=>?@[\\]^`{|}',
    '\u00e9\u00df\u4e2d\u6587\u0410\u0431\u05d0\u0627\u{1f600}\u{1f4a9}\u200b\u202e\u0000\u0007\u007f',
  ];
  const alphabet = [...rng.pick(alphabets)];
  return Array.from({ length: rng.int(max) + 1 }, () => rng.pick(alphabet)).join('');
}

function jwtLike(rng: Rng): string {
  const headers = [
    { alg: 'none' }, { alg: 'none', typ: 'JWT' }, { alg: 'HS256', kid: 'x' }, { alg: 'RS256' }, { alg: 'RS256', kid: '../../x' },
    { alg: 'ES256', jku: 'http://evil.example/jwks' }, { alg: 'RS256', crit: ['exp'] }, { alg: ['RS256'] }, {},
  ];
  const payloads = [
    { sub: 'alice', aud: 'app', iss: 'x', exp: 9_999_999_999 }, { sub: 'app', iss: 'app', aud: 'x', jti: 'j', exp: 1 },
    { exp: 'soon' }, [], 'x', { sub: { $ne: null } },
  ];
  switch (rng.int(6)) {
    case 0: return `${b64url(JSON.stringify(rng.pick(headers)))}.${b64url(JSON.stringify(rng.pick(payloads)))}.`;
    case 1: return `${b64url(JSON.stringify(rng.pick(headers)))}.${b64url(JSON.stringify(rng.pick(payloads)))}.${b64url(randomString(rng))}`;
    case 2: return `${randomString(rng)}.${randomString(rng)}.${randomString(rng)}`;
    case 3: return 'a.b.c.d.e';
    case 4: return `${b64url('{"alg":')}.${b64url('{')}.`;
    default: return '...';
  }
}

function value(rng: Rng, name: string, ctx: FuzzContext): string {
  const known: Record<string, string[]> = {
    client_id: [ctx.clientId, ctx.clientId, 'svc', 'nobody', ''],
    redirect_uri: [ctx.redirectUri, ctx.redirectUri, `${ctx.redirectUri}/`, 'http://evil.example/cb'],
    response_type: ['code', 'code id_token', 'id_token', 'id_token token', 'code token', 'token', 'none', 'code code'],
    response_mode: ['query', 'fragment', 'form_post', 'jwt', 'web_message'],
    scope: ['openid', 'openid profile email offline_access', 'openid api:read', 'profile', 'openid openid'],
    grant_type: [
      'authorization_code', 'refresh_token', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange', 'implicit',
    ],
    code_challenge_method: ['S256', 'plain', 's256'],
    code_challenge: ['E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', 'short'],
    prompt: ['none', 'login', 'consent', 'select_account', 'none login', 'create'],
    max_age: ['0', '60', '-1', '1.5', '1e3'],
    claims: JSON_VALUES,
    client_assertion_type: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'x'],
    token_type_hint: ['access_token', 'refresh_token', 'id_token'],
    decision: ['allow', 'deny', 'maybe'],
    logout: ['yes', 'no'],
    ui_locales: ['en', 'fr-CA de', 'xx-invalid-locale-tag-that-is-long'],
  };
  const jwtNames = new Set(['id_token_hint', 'client_assertion', 'request', 'access_token', 'token', 'code', 'refresh_token']);
  const r = rng.next();
  if (r < 0.45 && known[name]) return rng.pick(known[name]!);
  if (r < 0.6 && jwtNames.has(name)) return jwtLike(rng);
  if (r < 0.8) return rng.pick(WEIRD_STRINGS);
  if (r < 0.985) return randomString(rng);
  return 'x'.repeat(1000 + rng.int(20_000));
}

/** `a=1&b=2…`: mostly well-encoded, sometimes with broken percent-encoding or repeated names. */
function params(rng: Rng, ctx: FuzzContext, count = rng.int(8)): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = rng.chance(0.85) ? rng.pick(OAUTH_PARAMS) : randomString(rng, 10);
    const v = value(rng, name, ctx);
    let encoded: string;
    try {
      encoded = `${encodeURIComponent(name)}=${encodeURIComponent(v)}`;
    } catch {
      encoded = `${name}=x`; // a lone surrogate: not encodable
    }
    if (rng.chance(0.12)) encoded = rng.pick([`${name}=%`, `${name}=%zz`, `${name}=%E0%A4%A`, `${name}=%C0%AF`, `${name}=%ED%A0%80`, `${name}=%FF%FE`, `${name}`, `=${encodeURIComponent(v)}`, `${name}==`, '&&', `${name}=a+b%2`]);
    parts.push(encoded);
    if (rng.chance(0.1)) parts.push(encoded); // the same parameter twice (RFC 6749 3.1)
  }
  return parts.join('&');
}

/** UTF-8 text as the latin1 "string" the raw client sends byte for byte. */
const bytes = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

function target(rng: Rng, t: FuzzTarget, ctx: FuzzContext): string {
  let path = t.path.replace(/:[a-z]+/g, () => rng.pick([
    encodeURIComponent(randomString(rng, 20)), 'style.css', 'app.js', '..%2f..%2fpackage.json', '%2e%2e', '%', '%zz', '%E0%A4%A', '%00',
    bytes('😀'), 'a'.repeat(3000), '',
  ]));
  const mutation = rng.int(30);
  if (mutation === 0) path += '/';
  else if (mutation === 1) path = `/${path}`;
  else if (mutation === 2) path += rng.pick(['%', '%zz', '%E0%A4%A', '%C0%AF', '%2F..', bytes('é'), ';x=1', '/..', '%00']);
  else if (mutation === 3) path = path.toUpperCase();
  else if (mutation === 4) path += `/${'a'.repeat(rng.int(20_000))}`;
  const query = rng.chance(0.6) ? params(rng, ctx, rng.int(10)) : '';
  return query ? `${path}?${query}` : path;
}

function body(rng: Rng, ctx: FuzzContext): { body: string | Buffer; type?: string } {
  const r = rng.int(20);
  if (r < 9) return { body: params(rng, ctx), type: 'application/x-www-form-urlencoded' };
  if (r < 11) return { body: JSON.stringify({ op: rng.pick(['client.add', 'user.add', 'client.remove', 'token.mint', 'init', 'jwks.rotate', 'nope', '__proto__']), input: rng.pick([{}, null, [], 'x', JSON.parse('{"id":"x","redirectUris":["http://localhost/cb"],"constructor":{"prototype":{"polluted":1}}}'), JSON.parse('{"__proto__":{"polluted":1},"username":"p"}'), { username: randomString(rng), claims: ['a=1', '__proto__={"polluted":1}'] }]) }), type: 'application/json' };
  if (r < 12) return { body: rng.pick(JSON_VALUES), type: 'application/json' };
  if (r < 13) return { body: Buffer.from(Array.from({ length: rng.int(2000) }, () => rng.int(256))), type: rng.pick(['application/octet-stream', 'application/x-www-form-urlencoded']) };
  if (r < 14) return { body: `a=${'x'.repeat(ctx.maxBody + rng.int(4096))}`, type: 'application/x-www-form-urlencoded' };
  if (r < 15) return { body: `--x\r\nContent-Disposition: form-data; name="client_id"\r\n\r\napp\r\n--x--\r\n`, type: 'multipart/form-data; boundary=x' };
  return { body: '' };
}

function headers(rng: Rng, ctx: FuzzContext, route: FuzzTarget): [string, string][] {
  const h: [string, string][] = [];
  const host = rng.int(40);
  if (host < 34) h.push(['Host', rng.pick([`127.0.0.1:${ctx.port}`, `localhost:${ctx.port}`, `[::1]:${ctx.port}`, 'localhost'])]);
  else if (host < 37) h.push(['Host', rng.pick(['evil.example', `attacker.example:${ctx.port}`, '127.0.0.1.nip.io', 'localhost.evil.example'])]);
  else if (host < 38) h.push(['Host', rng.pick(['', '[', 'a b', `${'h'.repeat(300)}:1`])]);
  // else: no Host at all
  const auth = rng.int(14);
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  if (auth === 0) h.push(['Authorization', basic(ctx.clientId, ctx.clientSecret)]);
  else if (auth === 1) h.push(['Authorization', basic(ctx.clientId, 'wrong')]);
  else if (auth === 2) h.push(['Authorization', rng.pick(['Basic', 'Basic ', 'Basic !!!', 'Basic Og==', `Basic ${Buffer.from('%zz:%').toString('base64')}`, basic('a'.repeat(5000), 'b')])]);
  else if (auth === 3) h.push(['Authorization', `Bearer ${jwtLike(rng)}`]);
  else if (auth === 4) h.push(['Authorization', rng.pick(['Bearer', 'Bearer  x', 'bearer x y', 'DPoP x', 'Digest x', `Bearer ${'x'.repeat(4000)}`])]);
  else if (auth === 5 && route.path === '/_admin') h.push(['Authorization', `Bearer ${ctx.adminToken}`]);
  if (rng.chance(0.2)) {
    h.push(['Cookie', rng.pick([
      '_session=x; _session.sig=y', '_interaction=abc', '_csrf=1; _csrf.sig=2', ';;=;', `a=${'c'.repeat(8000)}`,
      `_session=${randomString(rng)}`, '_session=__proto__; _session.sig=__proto__',
    ]).replace(/[^\x20-\x7e]/g, '_')]);
  }
  if (rng.chance(0.1)) h.push(['Origin', rng.pick(['http://evil.example', 'null', 'http://localhost:3000'])]);
  if (rng.chance(0.1)) h.push(['Accept', rng.pick(['*/*', 'text/html', 'application/json', '', 'x'.repeat(2000)])]);
  if (rng.chance(0.05)) h.push(['X-Forwarded-Host', 'evil.example'], ['X-Forwarded-Proto', 'https'], ['X-Forwarded-For', '1.2.3.4']);
  if (rng.chance(0.03)) h.push(['X-Huge', 'h'.repeat(17_000 + rng.int(10_000))]); // over node's 16 KB header limit
  if (rng.chance(0.02)) for (let i = 0; i < 300; i++) h.push([`X-Many-${i}`, 'v'.repeat(60)]);
  if (rng.chance(0.03)) h.push(['X-Bad', rng.pick(['\u0001', 'a\u007fb', 'é'])]); // bytes the parser may refuse
  return h;
}

/** One request for `route`. */
export function generate(rng: Rng, route: FuzzTarget, ctx: FuzzContext): RawRequest {
  const browser = ctx.browsers?.length && rng.chance(0.35) ? rng.pick(ctx.browsers) : undefined;
  if (browser) route = { ...route, path: route.path.replace(':uid', browser.uid) };
  const method = rng.chance(0.8)
    ? rng.pick(route.methods)
    : rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'get', 'G@T']);
  const h = headers(rng, ctx, route);
  if (browser) {
    const i = h.findIndex(([n]) => n === 'Cookie');
    if (i >= 0) h.splice(i, 1);
    h.push(['Cookie', browser.cookie]);
  }
  let b: string | Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD' ? rng.chance(0.9) : rng.chance(0.05)) {
    const generated = body(rng, ctx);
    b = generated.body;
    if (browser && typeof b === 'string' && generated.type?.includes('urlencoded') && rng.chance(0.85)) {
      b = `${b}&csrf=${browser.csrf}${rng.chance(0.5) ? `&username=${rng.pick(['alice', 'bob', '', '%zz', 'x'.repeat(300)])}` : ''}${rng.chance(0.5) ? `&decision=${rng.pick(['allow', 'deny', ''])}` : ''}`;
    }
    const type = rng.chance(0.85) ? generated.type : rng.pick([
      'application/json', 'text/plain', 'application/x-www-form-urlencoded; charset=utf-16', 'application/x-www-form-urlencoded, application/json',
      ';;;', '', 'multipart/form-data', undefined,
    ]);
    if (type !== undefined) h.push(['Content-Type', type]);
    if (rng.chance(0.08)) {
      // The same body, chunked: the size cap must hold without a Content-Length to check.
      const buf = Buffer.isBuffer(b) ? b : Buffer.from(b, 'utf8');
      const chunks: Buffer[] = [];
      for (let at = 0; at < buf.length; at += 1000) {
        const part = buf.subarray(at, at + 1000);
        chunks.push(Buffer.from(`${part.length.toString(16)}\r\n`, 'latin1'), part, Buffer.from('\r\n', 'latin1'));
      }
      chunks.push(Buffer.from('0\r\n\r\n', 'latin1'));
      b = Buffer.concat(chunks);
      h.push(['Transfer-Encoding', 'chunked']);
    }
  }
  return { method, target: target(rng, route, ctx), headers: h, body: b };
}
