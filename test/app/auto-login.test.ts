import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOp, type Client, type DevOp } from '../../src/index.js';

const redirectUri = 'http://localhost:3000/cb';
let op: DevOp;
let config: oidc.Configuration;

beforeAll(async () => {
  // carol does not exist at start: she is added later.
  op = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, autoLogin: 'carol' });
  const web: Client = await op.clients.add({ client_id: 'web', redirect_uris: [redirectUri] });
  config = await oidc.discovery(new URL(op.issuer), 'web', web.client_secret, oidc.ClientSecretBasic(web.client_secret!), {
    execute: [oidc.allowInsecureRequests],
  });
});
afterAll(async () => {
  await op.stop();
});

/** The sub of the ID token the code flow gets with `extra` authorization parameters, no page in between. */
async function loginSub(extra: Record<string, string> = {}): Promise<unknown> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri, scope: 'openid', state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra,
  });
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status, 'a redirect to the client, no page').toBe(302);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), { pkceCodeVerifier: verifier, expectedState: state });
  return tokens.claims()?.sub;
}

describe('autoLogin', () => {
  it('logs in a user added after start', async () => {
    await op.users.add({ username: 'carol' });
    expect(await loginSub()).toBe('carol');
  });

  it('honours a login_hint naming a known user, and falls back to the autoLogin user for an unknown one', async () => {
    await op.users.add({ username: 'dave', sub: 'dave-sub' });
    expect(await loginSub({ login_hint: 'dave' })).toBe('dave-sub');
    expect(await loginSub({ login_hint: 'alice' })).toBe('alice');
    expect(await loginSub({ login_hint: 'stranger' })).toBe('carol');
  });
});
