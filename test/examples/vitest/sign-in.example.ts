import * as client from 'openid-client';
import { expect, inject, it } from 'vitest';

// What an app's test does with the OP that globalSetup started: talk to it over HTTP.
const issuer = new URL(inject('issuer'));
// The OP is plain http on localhost; clients authenticate as registered (client_secret_basic, the default).
const insecure = { execute: [client.allowInsecureRequests] };

it('discovers the OP', async () => {
  const res = await fetch(new URL('.well-known/openid-configuration', issuer));
  const discovery = (await res.json()) as { issuer: string; token_endpoint: string };
  expect(discovery.issuer).toBe(issuer.href.replace(/\/$/, ''));
  expect(discovery.token_endpoint).toMatch(/\/token$/);
});

it('issues a client_credentials token', async () => {
  const config = await client.discovery(issuer, 'svc', undefined, client.ClientSecretBasic('svc-secret'), insecure);
  const tokens = await client.clientCredentialsGrant(config);
  expect(tokens.token_type.toLowerCase()).toBe('bearer');
  expect(tokens.access_token).toBeTruthy();
});

it('signs bob in with the code flow (autoLogin: no login page)', async () => {
  const config = await client.discovery(issuer, 'web', undefined, client.ClientSecretBasic('web-secret'), insecure);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: 'http://localhost:3000/cb',
    scope: 'openid email',
    state,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  });
  // The OP answers with redirects until the app's redirect_uri; the app is not running, so stop there.
  let location = url.href;
  while (!location.startsWith('http://localhost:3000/cb')) {
    const res = await fetch(location, { redirect: 'manual' });
    expect(res.status).toBeGreaterThanOrEqual(300);
    location = new URL(res.headers.get('location')!, location).href;
  }
  const tokens = await client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: codeVerifier, expectedState: state });
  const { sub } = tokens.claims()!;
  // Scope claims come from userinfo when an access token is issued too (OIDC Core 5.4).
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, sub);
  expect(userinfo).toMatchObject({ sub, email: 'bob@example.com' });
});
