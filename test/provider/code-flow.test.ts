import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent, formAction, inputValue } from '../helpers/browser-like.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import {
  authRequest, authorize, decodeJwt, location, page, postForm, relyingParty, tokenRequest, callUserinfo,
} from './support.js';

const client = confidentialClient();
const redirectUri = client.redirect_uris[0]!;
let server: DevOp;
let config: oidc.Configuration;

beforeAll(async () => {
  server = await startTestOp();
  await server.store.addClient(client);
  config = await relyingParty(server, client);
});
afterAll(async () => {
  await server.stop();
});

describe('authorization code flow with PKCE, through the login and consent pages', () => {
  it('logs alice in, asks consent, issues validated tokens, userinfo, SSO and refresh rotation', async () => {
    const agent = new FormAgent();
    const req = await authRequest(config, redirectUri, { scope: 'openid profile email offline_access' });

    // 1. The authorization endpoint sends the browser to an interaction.
    const interaction = location(await agent.fetch(req.url.href));
    expect(interaction).toMatch(new RegExp(`^${server.issuer}/interaction/[^/]+$`));

    // 2. The login page lists alice as a card; pick her.
    const loginHtml = await page(agent, interaction);
    expect(loginHtml).toContain('value="alice"');
    expect(formAction(loginHtml, /\/login$/)).toBe(`${interaction}/login`);
    expect(inputValue(loginHtml, 'csrf')).toBeTruthy();
    const afterLogin = location(await postForm(agent, loginHtml, /\/login$/, { username: 'alice' }));
    expect(afterLogin).toBe(interaction);
    expect(agent.hasCookie('_session')).toBe(true);

    // 3. The consent page lists the requested scopes; allow.
    const consentHtml = await page(agent, interaction);
    for (const scope of ['openid', 'profile', 'email', 'offline_access']) expect(consentHtml).toContain(scope);
    const callback = new URL(location(await postForm(agent, consentHtml, /\/consent$/, { decision: 'allow' })));
    expect(callback.origin + callback.pathname).toBe(redirectUri);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe(req.state);
    expect(callback.searchParams.get('iss')).toBe(server.issuer);

    // 4. openid-client checks iss, state, PKCE, the ID token signature, nonce and at_hash.
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce, idTokenExpected: true,
    });
    expect(tokens.token_type).toBe('bearer');
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: server.issuer, sub: 'alice', aud: client.client_id, nonce: req.nonce });
    expect(typeof claims.at_hash).toBe('string');
    expect(typeof claims.auth_time).toBe('number');
    expect(tokens.refresh_token).toBeTruthy();
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid', 'profile']);

    // 5. userinfo releases profile and email claims.
    const info = await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
    expect(info).toMatchObject({
      sub: 'alice', name: 'Alice Example', given_name: 'Alice', family_name: 'Example',
      preferred_username: 'alice', email: 'alice@example.com', email_verified: true,
    });

    // 6. A second authorization in the same browser: no login, no consent (SSO).
    const again = await authRequest(config, redirectUri);
    const direct = new URL(location(await agent.fetch(again.url.href)));
    expect(direct.origin + direct.pathname).toBe(redirectUri);
    const second = await oidc.authorizationCodeGrant(config, direct, {
      pkceCodeVerifier: again.verifier, expectedState: again.state, expectedNonce: again.nonce,
    });
    expect(second.claims()!.sub).toBe('alice');
    expect(second.claims()!.auth_time).toBe(claims.auth_time);

    // 7. Refresh rotates the refresh token.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.claims()!.sub).toBe('alice');
    expect((await callUserinfo(server, refreshed.access_token)).status).toBe(200);

    // 8. Reusing the rotated token is refused and revokes the whole grant.
    const reuse = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! },
      { id: client.client_id, secret: client.client_secret! });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    const newest = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token! },
      { id: client.client_id, secret: client.client_secret! });
    expect(newest.status).toBe(400);
    expect(await newest.json()).toMatchObject({ error: 'invalid_grant' });
    const revoked = await callUserinfo(server, refreshed.access_token);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    expect((await callUserinfo(server, tokens.access_token)).status).toBe(401);
  });

  it('issues no refresh token without offline_access', async () => {
    const req = await authRequest(config, redirectUri, { scope: 'openid' });
    const callback = await authorize(new FormAgent(), req.url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.claims()!.sub).toBe('alice');
  });

  it('asks for consent again when a later request needs more scopes', async () => {
    const agent = new FormAgent();
    const first = await authRequest(config, redirectUri, { scope: 'openid' });
    await authorize(agent, first.url);
    const wider = await authRequest(config, redirectUri, { scope: 'openid email' });
    const next = location(await agent.fetch(wider.url.href));
    expect(next).toContain('/interaction/');
    expect(formAction(await page(agent, next), /\/consent$/)).toBeDefined();
  });

  it('does not let a request be answered by another browser (interaction cookie binding)', async () => {
    const agent = new FormAgent();
    const req = await authRequest(config, redirectUri);
    const interaction = location(await agent.fetch(req.url.href));
    const stranger = await new FormAgent().fetch(interaction);
    expect(stranger.status).toBe(400);
    expect(stranger.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('a public client (no secret) completes the flow with PKCE through openid-client', async () => {
    const spa = confidentialClient({ client_id: 'spa-public', client_secret: undefined, token_endpoint_auth_method: 'none' });
    await server.store.addClient(spa);
    const spaConfig = await relyingParty(server, spa);
    const req = await authRequest(spaConfig, redirectUri);
    const tokens = await oidc.authorizationCodeGrant(spaConfig, await authorize(new FormAgent(), req.url), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    expect(tokens.claims()).toMatchObject({ sub: 'alice', aud: 'spa-public' });
  });

  it('the consent form without a csrf token → 400 page and no code', async () => {
    const agent = new FormAgent();
    const req = await authRequest(config, redirectUri);
    const interaction = location(await agent.fetch(req.url.href));
    location(await postForm(agent, await page(agent, interaction), /\/login$/, { username: 'alice' }));
    const res = await agent.fetch(`${interaction}/consent`, { form: { decision: 'allow' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    // The consent page is still waiting.
    expect(formAction(await page(agent, interaction), /\/consent$/)).toBeDefined();
  });

  it('a finished interaction cannot be answered again', async () => {
    const agent = new FormAgent();
    const req = await authRequest(config, redirectUri, { scope: 'openid phone' });
    const interaction = location(await agent.fetch(req.url.href));
    location(await postForm(agent, await page(agent, interaction), /\/login$/, { username: 'alice' }));
    const consentHtml = await page(agent, interaction);
    location(await postForm(agent, consentHtml, /\/consent$/, { decision: 'allow' }));
    const again = await postForm(agent, consentHtml, /\/consent$/, { decision: 'allow' });
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBeNull();
  });

  it('consent deny redirects with access_denied, state and iss', async () => {
    const agent = new FormAgent();
    const req = await authRequest(config, redirectUri);
    const interaction = location(await agent.fetch(req.url.href));
    location(await postForm(agent, await page(agent, interaction), /\/login$/, { username: 'alice' }));
    const denied = new URL(location(await postForm(agent, await page(agent, interaction), /\/consent$/, { decision: 'deny' })));
    expect(denied.origin + denied.pathname).toBe(redirectUri);
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe(req.state);
    expect(denied.searchParams.get('iss')).toBe(server.issuer);
    expect(denied.searchParams.has('code')).toBe(false);
    // openid-client surfaces it as the OAuth error.
    await expect(oidc.authorizationCodeGrant(config, denied, { pkceCodeVerifier: req.verifier, expectedState: req.state }))
      .rejects.toMatchObject({ error: 'access_denied' });
  });

  it('ID token header names a key from the JWKS', async () => {
    const req = await authRequest(config, redirectUri, { scope: 'openid' });
    const callback = await authorize(new FormAgent(), req.url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    const { header } = decodeJwt(tokens.id_token!);
    const jwks = (await (await fetch(`${server.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    expect(header.alg).toBe('RS256');
  });
});
