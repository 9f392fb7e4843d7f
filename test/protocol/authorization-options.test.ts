import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent, formAction, inputValue } from '../helpers/browser-like.js';
import { autoLoginCodeFlow, rpConfig } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

const web = confidentialClient({ skip_consent: true });

/** Sign in through the login page as `username` with an agent, returning the redirect back to the client. */
async function loginThroughPage(server: DevOp, agent: FormAgent, url: string, username = 'alice'): Promise<Response> {
  const first = await agent.fetch(url);
  expect(first.status).toBe(302);
  const loginPage = await agent.fetch(first.headers.get('location')!);
  const html = await loginPage.text();
  return agent.fetch(formAction(html, /\/login$/)!, { form: { csrf: inputValue(html, 'csrf')!, username } });
}

describe('authorization request options', () => {
  let server: DevOp;
  let auto: DevOp;
  let config: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestOp();
    auto = await startTestOp({ autoLogin: 'alice' });
    for (const s of [server, auto]) {
      await s.store.addClient(web);
      await s.store.addClient(confidentialClient({ client_id: 'no-rotation', rotate_refresh_token: false, ttl: { AccessToken: 120, RefreshToken: 600 } }));
      await s.store.addUser({ username: 'carol', sub: 'carol', claims: { name: 'Carol', email: 'carol@example.com', phone_number: '+1 555', groups: ['ops'] } });
    }
    config = await rpConfig(server, web);
  });
  afterAll(async () => {
    await server.stop();
    await auto.stop();
  });

  const authUrl = (s: DevOp, extra: Record<string, string>) => {
    const url = new URL(`${s.issuer}/auth`);
    for (const [k, v] of Object.entries({ client_id: 'web', redirect_uri: web.redirect_uris[0]!, response_type: 'code', scope: 'openid', state: 'st', nonce: 'n', ...extra })) url.searchParams.set(k, v);
    return url.href;
  };

  it('claims parameter: requested claims reach the ID token and userinfo, beyond the scopes', async () => {
    const autoConfig = await rpConfig(auto, web);
    const claims = JSON.stringify({ id_token: { email: { essential: true }, acr: { values: ['urn:example:loa:2'] } }, userinfo: { phone_number: null } });
    const tokens = await autoLoginCodeFlow(autoConfig, web.redirect_uris[0]!, 'openid', { claims });
    expect(tokens.claims()).toMatchObject({ email: 'alice@example.com', acr: 'urn:example:loa:2' });
    expect(tokens.claims()?.name).toBeUndefined();
    const user = await (await fetch(`${auto.issuer}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
    expect(user).toEqual({ sub: 'alice' }); // alice has no phone_number: nothing invented
    expect(autoConfig.serverMetadata().claims_parameter_supported).toBe(true);
  });

  it('rejects a claims parameter that is not a JSON object', async () => {
    const res = await fetch(authUrl(auto, { claims: '{not json' }), { redirect: 'manual' });
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
  });

  it('acr_values: the first value is reported as acr', async () => {
    const tokens = await autoLoginCodeFlow(await rpConfig(auto, web), web.redirect_uris[0]!, 'openid', { acr_values: 'urn:dev:gold urn:dev:silver' });
    expect(tokens.claims()?.acr).toBe('urn:dev:gold');
  });

  it('prompt=select_account shows the user list even with a session, and another user can be picked', async () => {
    const agent = new FormAgent();
    const back = await loginThroughPage(server, agent, authUrl(server, {}));
    expect(back.headers.get('location')).toContain('code=');
    const again = await agent.fetch(authUrl(server, { prompt: 'select_account' }));
    expect(again.headers.get('location')).toContain('/interaction/');
    const html = await (await agent.fetch(again.headers.get('location')!)).text();
    expect(html).toContain('value="carol"');
    const asCarol = await agent.fetch(formAction(html, /\/login$/)!, { form: { csrf: inputValue(html, 'csrf')!, username: 'carol' } });
    expect(asCarol.headers.get('location')).toContain('code=');
  });

  it('id_token_hint for another user than the session asks for a new login (login_required with prompt=none)', async () => {
    const agent = new FormAgent();
    await loginThroughPage(server, agent, authUrl(server, {}), 'carol');
    const aliceToken = (await autoLoginCodeFlow(await rpConfig(auto, web), web.redirect_uris[0]!)).id_token!;
    // auto and server have different keys: a hint from another OP is refused outright
    const foreign = await agent.fetch(authUrl(server, { prompt: 'none', id_token_hint: aliceToken }));
    expect(new URL(foreign.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    const carolCode = await agent.fetch(authUrl(server, { prompt: 'none' }));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(carolCode.headers.get('location')!), { expectedState: 'st', expectedNonce: 'n' });
    const matching = await agent.fetch(authUrl(server, { prompt: 'none', id_token_hint: tokens.id_token! }));
    expect(matching.headers.get('location')).toContain('code=');
    expect(decodeJwt(tokens.id_token!).sub).toBe('carol');
  });

  it('ui_locales sets the page language', async () => {
    const agent = new FormAgent();
    const first = await agent.fetch(authUrl(server, { ui_locales: 'fr-CA en', prompt: 'login' }));
    const html = await (await agent.fetch(first.headers.get('location')!)).text();
    expect(html).toMatch(/<html[^>]*lang="fr-CA"/);
  });

  it('authorization by POST works even when the session cookie is not sent (SameSite): the user signs in again', async () => {
    const signedIn = new FormAgent();
    await loginThroughPage(server, signedIn, authUrl(server, {}));
    const crossSite = new FormAgent(); // a cross-site form POST carries no Lax cookies
    const form = Object.fromEntries(new URL(authUrl(server, {})).searchParams);
    const res = await crossSite.fetch(`${server.issuer}/auth`, { form });
    expect(res.headers.get('location')).toContain('/interaction/');
    const html = await (await crossSite.fetch(res.headers.get('location')!)).text();
    const back = await crossSite.fetch(formAction(html, /\/login$/)!, { form: { csrf: inputValue(html, 'csrf')!, username: 'alice' } });
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.headers.get('location')!), { expectedState: 'st', expectedNonce: 'n' });
    expect(tokens.claims()?.sub).toBe('alice');
  });

  it('a client with rotate_refresh_token=false keeps its refresh token; per-client ttl applies', async () => {
    const client = (await auto.store.getClient('no-rotation'))!;
    const rp = await rpConfig(auto, client);
    const tokens = await autoLoginCodeFlow(rp, client.redirect_uris[0]!);
    expect(tokens.expires_in).toBe(120);
    const first = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(first.refresh_token).toBeUndefined();
    const second = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(second.access_token).toBeTruthy();
    const introspected = await oidc.tokenIntrospection(rp, tokens.refresh_token!);
    expect(introspected.exp! - introspected.iat!).toBe(600);
  });

  it("another client presenting a refresh token does not burn it", async () => {
    await auto.store.addClient(confidentialClient({ client_id: 'thief', client_secret: 'thief-secret' }));
    const rp = await rpConfig(auto, web);
    const tokens = await autoLoginCodeFlow(rp, web.redirect_uris[0]!);
    const thief = await rpConfig(auto, (await auto.store.getClient('thief'))!);
    await expect(oidc.refreshTokenGrant(thief, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    const owner = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(owner.access_token).toBeTruthy();
  });
});
