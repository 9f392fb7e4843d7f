import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import { FormAgent } from '../helpers/browser-like.js';
import { serverForSuite } from '../helpers/cli.js';
import { authorize, basic } from '../provider/support.js';
import { cli, cliJson } from './support.js';

const REDIRECT = 'http://localhost:3000/cb';

/**
 * Removing a user or a client through the CLI, while a server runs on the data file, revokes
 * everything they held at once: over HTTP nothing of theirs works any more, and a client added
 * again under the same id inherits nothing.
 */
describe('remove revokes (CLI through the running server, checked over HTTP)', () => {
  const op = serverForSuite();

  const rp = (id: string, secret: string) =>
    oidc.discovery(new URL(op.issuer), id, secret, oidc.ClientSecretBasic(secret), { execute: [oidc.allowInsecureRequests] });

  /** A browser (cookie jar) that logs `username` in to client `id` and gets its tokens. */
  async function signIn(config: oidc.Configuration, username: string) {
    const agent = new FormAgent();
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid profile offline_access', prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const callback = await authorize(agent, url, username);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, idTokenExpected: true });
    expect(tokens.refresh_token).toBeDefined();
    return { agent, tokens };
  }

  const userinfo = (token: string) => fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${token}` } });
  const introspect = async (id: string, secret: string, token: string) => {
    const res = await fetch(`${op.issuer}/token/introspection`, {
      method: 'POST',
      headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { active: boolean }).active;
  };
  const refresh = (id: string, secret: string, token: string) => fetch(`${op.issuer}/token`, {
    method: 'POST',
    headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
  });

  it("user remove: the user's access token, refresh token and session stop working at once", async () => {
    await cliJson(op.data, ['client', 'add', '--id', 'rv-app', '--secret', 'rv-secret', '--redirect-uri', REDIRECT]);
    await cliJson(op.data, ['user', 'add', 'bob', '--name', 'Bob']);
    await cliJson(op.data, ['user', 'add', 'amy', '--name', 'Amy']);
    const config = await rp('rv-app', 'rv-secret');
    const bob = await signIn(config, 'bob');
    const amy = await signIn(config, 'amy');
    expect((await userinfo(bob.tokens.access_token)).status).toBe(200);

    const removed = await cli(op.data, ['user', 'remove', 'bob']);
    expect(removed.exitCode, removed.stderr).toBe(0);

    expect((await userinfo(bob.tokens.access_token)).status).toBe(401);
    expect(await introspect('rv-app', 'rv-secret', bob.tokens.access_token)).toBe(false);
    expect(await introspect('rv-app', 'rv-secret', bob.tokens.refresh_token!)).toBe(false);
    const refreshed = await refresh('rv-app', 'rv-secret', bob.tokens.refresh_token!);
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toMatchObject({ error: 'invalid_grant' });
    // His browser session no longer yields codes silently (OIDC Core 3.1.2.6: login_required).
    const silent = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', prompt: 'none', state: 'st' });
    const answer = await bob.agent.fetch(silent.href);
    expect(answer.status).toBe(302);
    const back = new URL(answer.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('login_required');
    expect(back.searchParams.has('code')).toBe(false);

    // Nothing of another user's goes with his.
    expect((await userinfo(amy.tokens.access_token)).status).toBe(200);
    expect((await refresh('rv-app', 'rv-secret', amy.tokens.refresh_token!)).status).toBe(200);
  });

  it('client remove, then add again with the same id: the old access and refresh tokens never work again', async () => {
    await cliJson(op.data, ['client', 'add', '--id', 'web', '--secret', 'old-secret', '--redirect-uri', REDIRECT]);
    await cliJson(op.data, ['user', 'add', 'cleo']);
    const old = await signIn(await rp('web', 'old-secret'), 'cleo');
    expect((await userinfo(old.tokens.access_token)).status).toBe(200);

    const removed = await cli(op.data, ['client', 'remove', 'web']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    await cliJson(op.data, ['client', 'add', '--id', 'web', '--secret', 'new-secret', '--redirect-uri', REDIRECT]);

    expect((await userinfo(old.tokens.access_token)).status).toBe(401);
    expect(await introspect('web', 'new-secret', old.tokens.access_token)).toBe(false);
    expect(await introspect('web', 'new-secret', old.tokens.refresh_token!)).toBe(false);
    const refreshed = await refresh('web', 'new-secret', old.tokens.refresh_token!);
    expect(refreshed.status).toBe(400);
    expect(await refreshed.json()).toMatchObject({ error: 'invalid_grant' });
    // The old consent is gone with the old registration: the new one asks again.
    const silent = oidc.buildAuthorizationUrl(await rp('web', 'new-secret'), { redirect_uri: REDIRECT, scope: 'openid', prompt: 'none', state: 'st' });
    const back = new URL((await old.agent.fetch(silent.href)).headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('consent_required');
  });
});
