import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, DevOp } from '../../src/index.js';
import { FormAgent } from '../helpers/browser-like.js';
import { startTestOp } from '../helpers/op.js';
import { authRequest, location, page, postForm, relyingParty } from './support.js';

let server: DevOp;
let client: Client;

beforeAll(async () => {
  server = await startTestOp();
  await server.users.add({ username: 'dana', claims: { name: 'Dana', roles: ['viewer'] } });
  client = await server.clients.add({
    client_id: 'web', client_secret: 's', redirect_uris: ['http://localhost:3000/cb'], skip_consent: true, access_token_claims: ['roles'],
  });
});
afterAll(async () => {
  await server.stop();
});

/** Sign in as `username` on the login page, with `claims` typed in the advanced panel (and `extra` fields, e.g. save_claims). */
async function signIn(claims: string, extra: Record<string, string> = {}, username = 'dana') {
  const config = await relyingParty(server, client);
  const req = await authRequest(config, 'http://localhost:3000/cb', { scope: 'openid profile' });
  const agent = new FormAgent();
  const loginPage = await page(agent, location(await agent.fetch(req.url.href)));
  expect(loginPage).toContain('Advanced: claims for this login only');
  const res = await postForm(agent, loginPage, /\/login$/, { username, claims, ...extra });
  return { config, req, res };
}

describe('login page: claims for this login only', () => {
  it('overrides the user\'s claims for this login, in userinfo and the mapped access token; the user is unchanged', async () => {
    const { config, req, res } = await signIn('{"roles": ["admin"], "name": "Dana (admin)"}');
    const tokens = await oidc.authorizationCodeGrant(config, new URL(location(res)), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    const { decodeJwt } = await import('jose');
    expect(decodeJwt(tokens.access_token).roles).toEqual(['admin']);
    expect(await oidc.fetchUserInfo(config, tokens.access_token, 'dana')).toMatchObject({ name: 'Dana (admin)', roles: ['admin'] });
    expect((await server.users.get('dana')).claims).toMatchObject({ name: 'Dana', roles: ['viewer'] });
  });

  it('refuses claims that are not a JSON object, or set sub, with the page again and the text kept', async () => {
    for (const [claims, message] of [['{"roles": [', 'not valid JSON'], ['["a"]', 'must be a JSON object'], ['{"sub": "eve"}', 'sub cannot be set']] as const) {
      const { res } = await signIn(claims);
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain(message);
      expect(html).toContain('<details class="advanced" open>');
    }
  });

  it('"save" keeps the claims on the stored user, merged over its own, for every later login', async () => {
    await server.users.add({ username: 'erin', claims: { name: 'Erin', roles: ['viewer'] } });
    const { config, req, res } = await signIn('{"roles": ["editor"]}', { save_claims: '1' }, 'erin');
    await oidc.authorizationCodeGrant(config, new URL(location(res)), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    expect((await server.users.get('erin')).claims).toMatchObject({ name: 'Erin', roles: ['editor'] });
    // A later login with nothing typed in the panel sees the saved claims.
    const later = await signIn('', {}, 'erin');
    const tokens = await oidc.authorizationCodeGrant(config, new URL(location(later.res)), {
      pkceCodeVerifier: later.req.verifier, expectedState: later.req.state, expectedNonce: later.req.nonce,
    });
    const { decodeJwt } = await import('jose');
    expect(decodeJwt(tokens.access_token).roles).toEqual(['editor']);
  });

  it('"save" for a name that is not a stored user, or with nothing typed, is refused with the page again', async () => {
    const adHoc = await signIn('{"roles": ["admin"]}', { save_claims: '1' }, 'nobody-stored');
    expect(adHoc.res.status).toBe(400);
    expect(await adHoc.res.text()).toContain('nobody-stored is not a stored user');
    const empty = await signIn('', { save_claims: '1' });
    expect(empty.res.status).toBe(400);
    expect(await empty.res.text()).toContain('Enter the claims to save.');
  });
});
