import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOp, type DevOp } from '../../src/index.js';
import type { Client } from '../../src/store/types.js';
import { confidentialClient } from '../helpers/op.js';
import { TestClock } from '../helpers/test-clock.js';
import { basic } from '../provider/support.js';
import { Browser, formAction, inputValue, location } from './support.js';

/**
 * Codes and refresh tokens under concurrent attack. The sequential properties (single use, bound
 * to client, redirect_uri and PKCE, replay revokes, rotated-token reuse revokes the grant) are in
 * test/provider/token-errors.test.ts and refresh.test.ts; here the same code or refresh token is
 * raced: exactly one request may win, and a detected replay must revoke even the tokens the
 * winner is still issuing.
 */

const web: Client = confidentialClient({ skip_consent: true, redirect_uris: ['http://localhost:3000/cb', 'http://localhost:3000/other'] });
const other: Client = confidentialClient({ client_id: 'other', client_secret: 'other-secret', skip_consent: true });
const RACERS = 8;

describe('racing a code or a refresh token', () => {
  let server: DevOp;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    // Real time (a TestClock set to now): the tokens are checked at /me.
    server = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, log: 'none', clock: new TestClock(Date.now()) });
    base = server.issuer;
    await server.store.addClient(web);
    await server.store.addClient(other);
    browser = new Browser();
    const interaction = location(await browser.fetch(authUrl()));
    const login = await browser.page(interaction);
    location(await browser.fetch(formAction(login, /\/login$/)!, { form: { csrf: inputValue(login, 'csrf')!, username: 'alice' } }));
  });
  afterAll(() => server.stop());

  function authUrl(extra: Record<string, string> = {}): string {
    return `${base}/auth?${new URLSearchParams({
      client_id: web.client_id, redirect_uri: web.redirect_uris[0]!, response_type: 'code', scope: 'openid offline_access', state: 's',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', ...extra,
    })}`;
  }
  const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

  async function code(): Promise<string> {
    return new URL(location(await browser.fetch(authUrl()))).searchParams.get('code')!;
  }

  const token = (form: Record<string, string>, client: Client = web) =>
    fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id, client.client_secret!) },
      body: new URLSearchParams(form).toString(),
    }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, string> }));

  const redeem = (c: string, extra: Record<string, string> = {}, client: Client = web) =>
    token({ grant_type: 'authorization_code', code: c, redirect_uri: web.redirect_uris[0]!, code_verifier: VERIFIER, ...extra }, client);

  const userinfo = (accessToken: string) => fetch(`${base}/me`, { headers: { authorization: `Bearer ${accessToken}` } }).then((r) => r.status);

  it(`${RACERS} simultaneous redemptions of one code: at most one wins, and the replay revokes what the winner got`, async () => {
    for (let round = 0; round < 5; round++) {
      const c = await code();
      const results = await Promise.all(Array.from({ length: RACERS }, () => redeem(c)));
      // At most one request gets tokens (none, if the replay revoked the grant while it was issuing).
      const winners = results.filter((r) => r.status === 200);
      expect(winners.length, `round ${round}`).toBeLessThanOrEqual(1);
      for (const r of results.filter((x) => x.status !== 200)) expect(r.body.error).toBe('invalid_grant');
      for (const { body } of winners) {
        expect(await userinfo(body.access_token!), `round ${round}: the winner's access token survived the replay`).toBe(401);
        expect((await token({ grant_type: 'refresh_token', refresh_token: body.refresh_token! })).body.error).toBe('invalid_grant');
      }
    }
  });

  it(`${RACERS} simultaneous uses of one refresh token: at most one new token, and the reuse revokes the grant`, async () => {
    for (let round = 0; round < 5; round++) {
      const first = await redeem(await code());
      expect(first.status).toBe(200);
      const results = await Promise.all(Array.from({ length: RACERS }, () => token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token! })));
      expect(results.filter((r) => r.status === 200).length, `round ${round}`).toBeLessThanOrEqual(1);
      for (const r of results) {
        if (r.status !== 200) continue;
        expect(await userinfo(r.body.access_token!), `round ${round}: a token from the raced refresh survived`).toBe(401);
        expect((await token({ grant_type: 'refresh_token', refresh_token: r.body.refresh_token! })).body.error).toBe('invalid_grant');
      }
      expect(await userinfo(first.body.access_token!)).toBe(401);
    }
  });

  it('a racing attacker with the wrong PKCE verifier, another client or another redirect_uri never wins', async () => {
    for (let round = 0; round < 5; round++) {
      const c = await code();
      const results = await Promise.all([
        redeem(c, { code_verifier: 'x'.repeat(43) }),
        redeem(c, {}, other),
        redeem(c, { redirect_uri: web.redirect_uris[1]! }),
        redeem(c, { code_verifier: '' }),
      ]);
      for (const r of results) {
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.body.access_token).toBeUndefined();
      }
      // The attempts burned the code: the legitimate client, late, gets nothing either.
      expect((await redeem(c)).status).toBe(400);
    }
  });
});
