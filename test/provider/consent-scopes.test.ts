import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent } from '../helpers/browser-like.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, callUserinfo, location, page, postForm, relyingParty } from './support.js';

const web = confidentialClient();

describe('consent with optional scopes', () => {
  let server: DevOp;
  let config: oidc.Configuration;
  beforeAll(async () => {
    server = await startTestOp();
    await server.store.addClient(web);
    config = await relyingParty(server, web);
  });
  afterAll(() => server.stop());

  async function consentPage(agent: FormAgent, scope: string) {
    const req = await authRequest(config, web.redirect_uris[0]!, { scope });
    const loginPage = await page(agent, location(await agent.fetch(req.url.href)));
    const consentUrl = location(await postForm(agent, loginPage, /\/login$/, { username: 'alice' }));
    return { req, html: await page(agent, consentUrl) };
  }

  it('offers every scope but openid as a ticked checkbox', async () => {
    const { html } = await consentPage(new FormAgent(), 'openid profile email offline_access');
    for (const scope of ['profile', 'email', 'offline_access']) {
      expect(html).toMatch(new RegExp(`<input type="checkbox" name="scope:${scope}" value="1" checked>`));
    }
    expect(html).not.toContain('name="scope:openid"');
  });

  it('grants only the scopes left ticked: the token and userinfo reflect the choice', async () => {
    const agent = new FormAgent();
    const { req, html } = await consentPage(agent, 'openid profile email');
    const back = location(await postForm(agent, html, /\/consent$/, { decision: 'allow', scopes_offered: '1', 'scope:email': '1' }));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back), {
      pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
    });
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid']);
    const claims = await (await callUserinfo(server, tokens.access_token)).json();
    expect(claims).toMatchObject({ sub: 'alice', email: 'alice@example.com' });
    expect(claims.name).toBeUndefined();
  });
});
