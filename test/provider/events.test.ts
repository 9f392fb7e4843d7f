import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import type { DevOpEvents, EventType } from '../../src/util/events.js';
import { FormAgent } from '../helpers/browser-like.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, authorize, relyingParty } from './support.js';

/**
 * Each instance reports requests, issued tokens, logins and errors on its own event stream
 * (provider.events), for tests and tools to follow; payloads never carry a token.
 */
const web = confidentialClient({ grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] });
let a: DevOp;
let b: DevOp;

beforeAll(async () => {
  [a, b] = await Promise.all([startTestOp(), startTestOp({ autoLogin: 'alice' })]);
  await Promise.all([a.store.addClient(web), b.store.addClient(web)]);
});
afterAll(async () => {
  await Promise.all([a.stop(), b.stop()]);
});

/** Collect `types` events of `server` while `run` runs. */
async function collect(server: DevOp, types: EventType[], run: () => Promise<unknown>): Promise<[EventType, unknown][]> {
  const seen: [EventType, unknown][] = [];
  const stops = types.map((type) => server.provider.events.on(type, (e: DevOpEvents[typeof type]) => seen.push([type, e])));
  try {
    await run();
  } finally {
    for (const stop of stops) stop();
  }
  return seen;
}

describe('the event stream', () => {
  it('client_credentials: a token event with grant, client, sub and jti (not the token), and a request event', async () => {
    const config = await relyingParty(a, web);
    let accessToken = '';
    const seen = await collect(a, ['request', 'token', 'login', 'error'], async () => {
      accessToken = (await oidc.clientCredentialsGrant(config)).access_token;
    });
    const { jti } = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()) as { jti: string };
    expect(seen).toEqual([
      ['token', { grantType: 'client_credentials', clientId: 'web', sub: 'web', jti }],
      ['request', { method: 'POST', path: '/token', status: 200, ms: expect.any(Number), clientId: 'web' }],
    ]);
    expect(JSON.stringify(seen)).not.toContain(accessToken.split('.')[2]!);
  });

  it('a login through the login page and an --auto-login each report a login event', async () => {
    const config = await relyingParty(a, web);
    const viaPage = await collect(a, ['login'], async () => authorize(new FormAgent(), (await authRequest(config, web.redirect_uris[0]!)).url, 'alice'));
    expect(viaPage).toEqual([['login', { username: 'alice', clientId: 'web' }]]);

    const auto = await relyingParty(b, web);
    const viaAuto = await collect(b, ['login'], async () => fetch((await authRequest(auto, web.redirect_uris[0]!)).url, { redirect: 'manual' }));
    expect(viaAuto).toEqual([['login', { username: 'alice', clientId: 'web' }]]);
  });

  it('an error response reports an error event with its OAuth code', async () => {
    const seen = await collect(a, ['error'], () => fetch(`${a.issuer}/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials',
    }));
    expect(seen).toEqual([['error', { code: 'invalid_client', status: 401, path: '/token' }]]);
  });

  it('instances do not hear each other, and a listener stops when unsubscribed', async () => {
    const onB: unknown[] = [];
    const stop = b.provider.events.on('request', (e) => onB.push(e));
    const onA = await collect(a, ['request'], () => fetch(`${a.issuer}/.well-known/openid-configuration`));
    expect(onA).toHaveLength(1);
    expect(onB).toEqual([]);
    stop();
    await fetch(`${b.issuer}/.well-known/openid-configuration`);
    expect(onB).toEqual([]);
  });
});
