import { createHash, randomBytes } from 'node:crypto';
import { basic, client, CookieJar } from '../lib/http.mjs';
import { WEB } from '../lib/fixture.mjs';

/**
 * One headless authorization code + PKCE flow as a new user agent would run it (empty cookie
 * jar): authorize, follow same-origin redirects until the one to redirect_uri carries the code,
 * exchange it at /token (client_secret_basic), call /me with the access token.
 */
export async function oneFlow(http, web = WEB) {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(8).toString('base64url');
  const query = new URLSearchParams({
    client_id: web.id, redirect_uri: web.redirectUri, response_type: 'code', scope: web.scope, state,
    code_challenge: challenge, code_challenge_method: 'S256', nonce: randomBytes(8).toString('base64url'),
  });
  let path = `/auth?${query}`;
  let code;
  for (let hops = 0; hops < 6 && !code; hops++) {
    const res = await http.request('GET', path, { headers: { cookie: jar.header() } });
    jar.take(res.headers);
    if (res.status < 300 || res.status >= 400) throw new Error(`authorize: ${res.status} at ${path} ${res.body.slice(0, 200)}`);
    const location = new URL(res.headers.location, 'http://localhost');
    if (location.href.startsWith(web.redirectUri)) {
      code = location.searchParams.get('code');
      if (!code || location.searchParams.get('state') !== state) throw new Error(`no code in ${location}`);
    } else {
      path = location.pathname + location.search;
    }
  }
  const tokenRes = await http.request('POST', '/token', {
    headers: { authorization: basic(web.id, web.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: web.redirectUri, code_verifier: verifier }).toString(),
  });
  if (tokenRes.status !== 200) throw new Error(`token: ${tokenRes.status} ${tokenRes.body}`);
  const tokens = JSON.parse(tokenRes.body);
  if (!tokens.id_token) throw new Error('no id_token');
  const me = await http.request('GET', '/me', { headers: { authorization: `Bearer ${tokens.access_token}` } });
  if (me.status !== 200 || JSON.parse(me.body).sub !== 'alice') throw new Error(`userinfo: ${me.status} ${me.body}`);
}

/** Flows per second with `loops` concurrent client loops for `seconds`. */
export async function flowsPerSecond(port, loops, seconds, web = WEB) {
  const until = performance.now() + seconds * 1000;
  let flows = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: loops }, async () => {
    const http = client(port);
    try {
      while (performance.now() < until) {
        await oneFlow(http, web);
        flows++;
      }
    } finally {
      http.close();
    }
  }));
  return flows / ((performance.now() - started) / 1000);
}
