import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { checkRedirectUri } from '../../src/provider/checks/redirect-uri.js';
import { parseLoopbackRedirect } from '../../src/protocol/loopback-redirect.js';
import { InvalidRedirectUri } from '../../src/errors/oauth-errors.js';
import type { Client } from '../../src/store/types.js';
import { FormAgent } from '../helpers/browser-like.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authorize, relyingParty, authRequest, tokenRequest } from './support.js';

/** RFC 8252 7.3: a native client's loopback IP literal redirect URI matches on any port; nothing else loosens. */

const native = (redirectUris: string[], overrides: Partial<Client> = {}): Client => confidentialClient({
  client_id: 'cli', client_secret: undefined, token_endpoint_auth_method: 'none', application_type: 'native',
  redirect_uris: redirectUris, ...overrides,
});

const accepts = (client: Client, uri: string) => expect(checkRedirectUri(client, uri)).toBe(uri);
const refuses = (client: Client, uri: string) => expect(() => checkRedirectUri(client, uri)).toThrow(InvalidRedirectUri);

describe('checkRedirectUri: native loopback ports (unit)', () => {
  it('a native client: 127.0.0.1 and [::1] match on any port, registered with or without one', () => {
    const client = native(['http://127.0.0.1/callback', 'http://[::1]:8080/cb?x=1', 'http://127.0.0.1']);
    accepts(client, 'http://127.0.0.1/callback');
    accepts(client, 'http://127.0.0.1:51234/callback');
    accepts(client, 'http://127.0.0.1:1/callback');
    accepts(client, 'http://127.0.0.1:65535/callback');
    accepts(client, 'http://[::1]:8080/cb?x=1');
    accepts(client, 'http://[::1]:40000/cb?x=1');
    accepts(client, 'http://[::1]/cb?x=1');
    accepts(client, 'http://127.0.0.1:3000');
  });

  it('a native client: path, query, host, scheme and anything else still match exactly', () => {
    const client = native(['http://127.0.0.1/callback', 'http://[::1]:8080/cb?x=1']);
    for (const uri of [
      'http://127.0.0.1:5000/other', // another path
      'http://127.0.0.1:5000/callback/', // a trailing slash
      'http://127.0.0.1:5000/Callback',
      'http://127.0.0.1:5000/callback?x=1', // a query the registration does not have
      'http://127.0.0.1:5000/callback#f',
      'http://[::1]:5000/callback', // the other loopback address
      'http://[::1]:5000/cb?x=2',
      'http://[::1]:5000/cb',
      'http://127.0.0.2:5000/callback',
      'http://localhost:5000/callback', // a name, not an IP literal (RFC 8252 8.3)
      'https://127.0.0.1:5000/callback',
      'HTTP://127.0.0.1:5000/callback',
      'http://127.0.0.1:5000@evil.example/callback', // userinfo: the host is evil.example
      'http://127.0.0.1@evil.example/callback',
      'http://127.0.0.1.evil.example:5000/callback',
      'http://127.0.0.1:0/callback',
      'http://127.0.0.1:65536/callback',
      'http://127.0.0.1:05000/callback',
      'http://127.0.0.1:/callback',
      'http://127.0.0.1:5000\\@evil.example/callback',
      'http://127.0.0.1:5000/callback\n',
    ]) refuses(client, uri);
  });

  it('a web client (no application_type, or web) keeps exact matching, loopback ports included', () => {
    for (const client of [
      native(['http://127.0.0.1/callback', 'http://127.0.0.1:3000/cb'], { application_type: undefined }),
      native(['http://127.0.0.1/callback', 'http://127.0.0.1:3000/cb'], { application_type: 'web' }),
    ]) {
      accepts(client, 'http://127.0.0.1/callback');
      accepts(client, 'http://127.0.0.1:3000/cb');
      refuses(client, 'http://127.0.0.1:5000/callback');
      refuses(client, 'http://127.0.0.1:3001/cb');
      refuses(client, 'http://127.0.0.1/cb');
    }
  });

  it('a native client registered with localhost matches exactly (no port freedom for names)', () => {
    const client = native(['http://localhost:3000/cb']);
    accepts(client, 'http://localhost:3000/cb');
    refuses(client, 'http://localhost:3001/cb');
    refuses(client, 'http://127.0.0.1:3000/cb');
  });

  it('parseLoopbackRedirect splits host, port and the rest', () => {
    expect(parseLoopbackRedirect('http://127.0.0.1:8080/a?b')).toEqual({ host: '127.0.0.1', port: '8080', rest: '/a?b' });
    expect(parseLoopbackRedirect('http://[::1]/a')).toEqual({ host: '[::1]', port: undefined, rest: '/a' });
    expect(parseLoopbackRedirect('http://localhost:8080/a')).toBeUndefined();
  });
});

describe('authorization endpoint: native loopback redirect over HTTP', () => {
  let server: DevOp;
  const cli = native(['http://127.0.0.1/callback']);
  const web = confidentialClient({ client_id: 'web-loop', redirect_uris: ['http://127.0.0.1:3000/callback'] });

  beforeAll(async () => {
    server = await startTestOp();
    await server.store.addClient(cli);
    await server.store.addClient(web);
  });
  afterAll(async () => {
    await server.stop();
  });

  it('a native client on another port completes the code flow (openid-client), the code bound to that exact redirect_uri', async () => {
    const redirectUri = 'http://127.0.0.1:49152/callback';
    const rp = await relyingParty(server, cli);
    const request = await authRequest(rp, redirectUri);
    const back = await authorize(new FormAgent(), request.url);
    expect(back.origin + back.pathname).toBe(redirectUri);
    const code = back.searchParams.get('code')!;
    expect(code).toBeTruthy();
    // The token request must repeat the redirect_uri of the authorization request, port included.
    const wrongPort = await tokenRequest(server, {
      grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:49153/callback', code_verifier: request.verifier, client_id: cli.client_id,
    });
    expect(wrongPort.status).toBe(400);
    expect(await wrongPort.json()).toMatchObject({ error: 'invalid_grant' });

    const again = await authRequest(rp, redirectUri);
    const callback = await authorize(new FormAgent(), again.url);
    const ok = await tokenRequest(server, {
      grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: redirectUri,
      code_verifier: again.verifier, client_id: cli.client_id,
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ access_token: expect.any(String), id_token: expect.any(String) });
  });

  const authUrl = (client: Client, redirectUri: string) => `${server.issuer}/auth?${new URLSearchParams({
    client_id: client.client_id, redirect_uri: redirectUri, response_type: 'code', scope: 'openid', state: 's',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCQaoWZ1QgBA8b-qljg_pMJ4', code_challenge_method: 'S256',
  })}`;

  it('refused as a page, never redirected: a web client on another port, a native client on another path', async () => {
    for (const [client, uri] of [
      [web, 'http://127.0.0.1:3001/callback'],
      [web, 'http://127.0.0.1/callback'],
      [cli, 'http://127.0.0.1:49152/other'],
      [cli, 'http://localhost:49152/callback'],
      [cli, 'http://[::1]:49152/callback'],
    ] as const) {
      const res = await fetch(authUrl(client, uri), { redirect: 'manual' });
      expect(res.status, `${client.client_id} ${uri}`).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toContain('invalid_redirect_uri');
    }
  });

  it('accepted: the native client on any port goes on to the login (a redirect to the interaction)', async () => {
    const res = await fetch(authUrl(cli, 'http://127.0.0.1:61000/callback'), { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/\/interaction\//);
  });
});
