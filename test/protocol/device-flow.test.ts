import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent, inputValue } from '../helpers/browser-like.js';
import { rpConfig } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const tv = confidentialClient({
  client_id: 'tv', client_secret: undefined, token_endpoint_auth_method: 'none', client_name: 'Living-room TV',
  redirect_uris: [], grant_types: [DEVICE_GRANT, 'refresh_token'],
});

describe('device authorization grant (RFC 8628)', () => {
  let server: DevOp;
  let config: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestOp();
    await server.store.addClient(tv);
    config = await rpConfig(server, tv);
  });
  afterAll(() => server.stop());

  const poll = (deviceCode: string) =>
    fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: DEVICE_GRANT, device_code: deviceCode, client_id: 'tv' }),
    });

  /** The user's side: enter the code (lowercase, no dash), continue, sign in as alice with one click. */
  async function approveInBrowser(userCode: string, decision: 'allow' | 'deny') {
    const agent = new FormAgent();
    const entry = await (await agent.fetch(`${server.issuer}/device`)).text();
    const csrf = inputValue(entry, 'csrf')!;
    const typed = userCode.replace('-', '').toLowerCase();
    const confirm = await agent.fetch(`${server.issuer}/device`, { form: { csrf, user_code: typed } });
    const confirmHtml = await confirm.text();
    expect(confirmHtml).toContain('Living-room TV');
    expect(confirmHtml).toContain(userCode);
    // As a browser does: the confirm page's own token, which is bound to this device.
    const decided = await agent.fetch(`${server.issuer}/device`, { form: { csrf: inputValue(confirmHtml, 'csrf')!, user_code: typed, decision } });
    if (decision === 'deny') return decided.text();
    expect(decided.status).toBe(302);
    const login = await (await agent.fetch(decided.headers.get('location')!)).text();
    const action = /action="([^"]+\/login)"/.exec(login)![1]!;
    const done = await agent.fetch(action, { form: { csrf: inputValue(login, 'csrf')!, username: 'alice' } });
    expect(done.status).toBe(200);
    return done.text();
  }

  it('openid-client polls until the user approves in the browser, then gets tokens', async () => {
    const response = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile offline_access' });
    expect(response.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(response.verification_uri).toBe(`${server.issuer}/device`);
    expect(response.verification_uri_complete).toBe(`${server.issuer}/device?user_code=${response.user_code}`);
    expect(await (await poll(response.device_code)).json()).toMatchObject({ error: 'authorization_pending' });
    const page = await approveInBrowser(response.user_code, 'allow');
    expect(page).toMatch(/signed in|connected|done/i);
    // interval 0 would be rejected by the client; poll once directly after approval instead.
    const tokens = await (await poll(response.device_code)).json();
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeTruthy();
    const claims = JSON.parse(Buffer.from(tokens.id_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'alice', aud: 'tv', iss: server.issuer });
    const again = await poll(response.device_code);
    expect((await again.json()).error).toBe('invalid_grant');
  });

  it('answers slow_down when polled faster than the interval', async () => {
    const response = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    expect((await (await poll(response.device_code)).json()).error).toBe('authorization_pending');
    const second = await (await poll(response.device_code)).json();
    expect(second.error).toBe('slow_down');
  });

  it('answers access_denied after the user cancels', async () => {
    const response = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const page = await approveInBrowser(response.user_code, 'deny');
    expect(page).toMatch(/cancel/i);
    expect((await (await poll(response.device_code)).json()).error).toBe('access_denied');
  });

  it('refuses an unknown user code on the verification page, and pre-fills verification_uri_complete', async () => {
    const agent = new FormAgent();
    const entry = await (await agent.fetch(`${server.issuer}/device`)).text();
    const res = await agent.fetch(`${server.issuer}/device`, { form: { csrf: inputValue(entry, 'csrf')!, user_code: 'BBBB-BBBB' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/not valid|expired/);
    const response = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const complete = await (await agent.fetch(response.verification_uri_complete!)).text();
    expect(complete).toContain(response.user_code);
    expect(complete).toContain('name="decision"');
  });

  it('answers expired_token once the device code has expired', async () => {
    const response = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const record = await server.store.get('DeviceCode', response.device_code);
    await server.store.put('DeviceCode', response.device_code, { ...record!, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    expect((await (await poll(response.device_code)).json()).error).toBe('expired_token');
  });

  it('refuses clients without the device_code grant', async () => {
    await server.store.addClient(confidentialClient({ client_id: 'web-only' }));
    const res = await fetch(`${server.issuer}/device/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('web-only:web-secret').toString('base64')}` },
      body: new URLSearchParams({ scope: 'openid' }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('unauthorized_client');
  });
});
