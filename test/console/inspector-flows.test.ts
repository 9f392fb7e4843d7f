import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent, inputValue } from '../helpers/browser-like.js';
import { rpConfig } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, authorize } from '../provider/support.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const web = confidentialClient();
const tv = confidentialClient({
  client_id: 'tv', client_name: 'Living-room TV', client_secret: undefined, token_endpoint_auth_method: 'none', redirect_uris: [], grant_types: [DEVICE_GRANT],
});

let server: DevOp;
beforeAll(async () => {
  server = await startTestOp();
  await server.store.addClient(web);
  await server.store.addClient(tv);
});
afterAll(() => server.stop());

describe('the inspector groups requests into flows by what the OP handed out', () => {
  it('a sign-in through the login and consent pages, the token request and userinfo: one flow', async () => {
    const config = await rpConfig(server, web);
    const since = (await server.inspector!.read()).last;
    const req = await authRequest(config, web.redirect_uris[0]!);
    const callback = await authorize(new FormAgent(), req.url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
    await oidc.fetchUserInfo(config, tokens.access_token, 'alice');
    const { flows } = await server.inspector!.read({ since });
    const flow = flows.find((f) => f.steps[0]!.endpoint === 'authorization')!;
    expect(flow.steps.map((s) => s.endpoint)).toEqual(['authorization', 'interaction', 'login', 'interaction', 'consent', 'token', 'userinfo']);
    expect(flow).toMatchObject({ clientId: 'web', state: req.state });
    // The login form is recorded without its password or CSRF token.
    expect(flow.steps[2]!.form).toMatchObject({ username: 'alice', csrf: { fp: '' } });
  });

  it('a device authorization, the verification pages in the browser and the polls: one flow', async () => {
    const since = (await server.inspector!.read()).last;
    const config = await rpConfig(server, tv);
    const started = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const agent = new FormAgent();
    const entry = await (await agent.fetch(`${server.issuer}/device`)).text();
    const typed = started.user_code.replace('-', '').toLowerCase();
    const confirm = await (await agent.fetch(`${server.issuer}/device`, { form: { csrf: inputValue(entry, 'csrf')!, user_code: typed } })).text();
    const decided = await agent.fetch(`${server.issuer}/device`, { form: { csrf: inputValue(confirm, 'csrf')!, user_code: typed, decision: 'allow' } });
    const login = await (await agent.fetch(decided.headers.get('location')!)).text();
    const action = /action="([^"]+\/login)"/.exec(login)![1]!;
    expect((await agent.fetch(action, { form: { csrf: inputValue(login, 'csrf')!, username: 'alice' } })).status).toBe(200);
    const poll = await fetch(`${server.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: started.device_code, client_id: 'tv' }),
    });
    expect(poll.status).toBe(200);
    const { flows } = await server.inspector!.read({ since });
    const flow = flows.find((f) => f.kind === 'device_code')!;
    expect(flow.steps.map((s) => s.endpoint)).toEqual([
      'device_authorization', 'device_verification', 'device_verification', 'interaction', 'login', 'token',
    ]);
    expect(flow.clientId).toBe('tv');
  });
});
