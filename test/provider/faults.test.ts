import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, type DevOp } from '../../src/index.js';
import type { DevOpEvents } from '../../src/util/events.js';
import { autoLoginCodeFlow } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authRequest, relyingParty } from './support.js';

/**
 * Fault rules (op.faults): each kind, and how openid-client v6, the relying party, reacts to it.
 * The server logs in alice with no pages (autoLogin), so every flow is plain HTTP.
 */
const web = confidentialClient({ grant_types: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code'] });
const other = confidentialClient({ client_id: 'other', client_secret: 'other-secret' });
const redirectUri = web.redirect_uris[0]!;
let op: DevOp;
let config: oidc.Configuration;
const fired: DevOpEvents['fault'][] = [];
const logLines: string[] = [];

beforeAll(async () => {
  op = await startTestOp({ autoLogin: 'alice', log: 'json' });
  await op.store.addClient(web);
  await op.store.addClient(other);
  op.events.on('fault', (e) => fired.push(e));
  config = await relyingParty(op, web);
});
afterEach(async () => {
  await op.faults.clear();
  fired.length = 0;
});
afterAll(async () => {
  await op.stop();
});

/** The callback URL of an authorization with no pages, and what the RP kept to check it. */
async function callback(cfg = config) {
  const req = await authRequest(cfg, redirectUri);
  const res = await fetch(req.url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  return { req, url: new URL(res.headers.get('location')!) };
}

/** Why openid-client refused: its check's code, and the claim it compared where it says. */
async function refusal(p: Promise<unknown>): Promise<{ code?: string; claim?: unknown; status?: number }> {
  const err = (await p.then(() => undefined, (e: unknown) => e)) as { cause?: { code?: string; status?: number; cause?: { claim?: unknown } } } | undefined;
  expect(err, 'openid-client should have refused').toBeInstanceOf(Error);
  return { code: err!.cause?.code, claim: err!.cause?.cause?.claim, status: err!.cause?.status };
}

function exchange(cfg: oidc.Configuration, { req, url }: Awaited<ReturnType<typeof callback>>) {
  return oidc.authorizationCodeGrant(cfg, url, { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
}

describe('an OAuth error', () => {
  it('--error invalid_grant --times 2 at the token endpoint: openid-client throws it twice, then the same code works', async () => {
    const rule = await op.faults.add({ endpoint: 'token', client: 'web', error: 'invalid_grant', times: 2 });
    expect(rule).toMatchObject({ id: expect.stringMatching(/^f\d+$/), endpoint: 'token', kind: 'error', clientId: 'web', status: 400, times: 2, fired: 0 });
    const cb = await callback();
    for (let i = 0; i < 2; i++) {
      const err = await exchange(config, cb).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(oidc.ResponseBodyError);
      expect(err).toMatchObject({ error: 'invalid_grant', error_description: 'dev-op fault: invalid_grant', status: 400 });
    }
    // The endpoint never ran for the faulted requests: the code was not used up.
    const tokens = await exchange(config, cb);
    expect(tokens.claims()?.sub).toBe('alice');
    expect(await op.faults.list()).toEqual([]);
    expect(fired.map((e) => [e.kind, e.endpoint, e.clientId, e.fired])).toEqual([['error', 'token', 'web', 1], ['error', 'token', 'web', 2]]);
  });

  it('a rule for one client leaves the others alone', async () => {
    await op.faults.add({ endpoint: 'token', client: 'other', error: 'temporarily_unavailable' });
    expect((await exchange(config, await callback())).access_token).toBeTruthy();
    const otherConfig = await relyingParty(op, other);
    // other may not use client_credentials, but the fault answers first, with the code's usual 503.
    expect(await refusal(oidc.clientCredentialsGrant(otherConfig))).toMatchObject({ status: 503 });
    expect((await op.faults.list())[0]).toMatchObject({ clientId: 'other', fired: 1 });
  });

  it('at the authorization endpoint the error goes back to the registered redirect_uri, with state and iss', async () => {
    await op.faults.add({ endpoint: 'authorization', error: 'temporarily_unavailable', description: 'try again later' });
    const { req, url } = await callback();
    expect(url.searchParams.get('error')).toBe('temporarily_unavailable');
    const err = await exchange(config, { req, url }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oidc.AuthorizationResponseError);
    expect(err).toMatchObject({ error: 'temporarily_unavailable', error_description: 'try again later' });
  });
});

describe('an HTTP status', () => {
  it('--status 503 at the token endpoint surfaces as an error in openid-client; the request log names the rule', async () => {
    const { id } = await op.faults.add({ endpoint: 'token', status: 503, times: 1 });
    const cb = await callback();
    const err = await exchange(config, cb).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { cause?: Response }).cause?.status ?? (err as { status?: number }).status).toBe(503);
    expect(fired).toEqual([{ id, kind: 'status', endpoint: 'token', path: '/token', fired: 1, clientId: 'web' }]);
    // Spent after once: the retry succeeds.
    expect((await exchange(config, cb)).access_token).toBeTruthy();
  });

  it('a browser app can read the fault (CORS headers), and its preflight is not faulted', async () => {
    await op.faults.add({ endpoint: 'token', status: 503 });
    const origin = 'http://localhost:5173';
    const preflight = await fetch(`${op.issuer}/token`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
    const res = await fetch(`${op.issuer}/token`, { method: 'POST', headers: { origin, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=web' });
    expect(res.status).toBe(503);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect((await op.faults.list())[0]!.fired).toBe(1);
  });

  it('--status 500 on discovery: openid-client cannot discover the OP', async () => {
    await op.faults.add({ endpoint: 'discovery', status: 500 });
    await expect(relyingParty(op, web)).rejects.toThrow();
    await op.faults.clear();
    await expect(relyingParty(op, web)).resolves.toBeTruthy();
  });
});

describe('latency', () => {
  it('--latency 400ms on discovery and the token endpoint: openid-client waits it out and succeeds', async () => {
    await op.faults.add({ endpoint: 'discovery', latency: '400ms' });
    let started = performance.now();
    const slowConfig = await relyingParty(op, web);
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    await op.faults.add({ endpoint: 'token', latency: 400, client: 'web' });
    const cb = await callback(slowConfig);
    started = performance.now();
    expect((await exchange(slowConfig, cb)).access_token).toBeTruthy();
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
  });
});

describe('a JWKS without the current key', () => {
  it('openid-client (non-repudiation checks on) cannot verify the ID token, until the rule is cleared', async () => {
    await op.faults.add({ kind: 'jwks_without_key' });
    const jwks = (await (await fetch(`${op.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    const active = (await op.keys.list()).find((k) => k.active)!;
    expect(jwks.keys.map((k) => k.kid)).not.toContain(active.kid);
    const strict = await relyingParty(op, web);
    oidc.enableNonRepudiationChecks(strict);
    expect(await refusal(exchange(strict, await callback(strict)))).toMatchObject({ code: 'OAUTH_KEY_SELECTION_FAILED' });
    await op.faults.clear();
    const fresh = await relyingParty(op, web);
    oidc.enableNonRepudiationChecks(fresh);
    expect((await exchange(fresh, await callback(fresh))).claims()?.sub).toBe('alice');
  });
});

describe('flawed ID tokens', () => {
  it('a wrong aud makes authorizationCodeGrant throw', async () => {
    await op.faults.add({ kind: 'id_token_wrong_aud', client: 'web' });
    expect(await refusal(exchange(config, await callback()))).toEqual({ code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', claim: 'aud' });
  });

  it('a wrong iss makes authorizationCodeGrant throw', async () => {
    await op.faults.add({ kind: 'id_token_wrong_iss' });
    expect(await refusal(exchange(config, await callback()))).toEqual({ code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', claim: 'iss' });
  });

  it('an expired ID token makes authorizationCodeGrant throw', async () => {
    await op.faults.add({ kind: 'id_token_expired' });
    expect(await refusal(exchange(config, await callback()))).toEqual({ code: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', claim: 'exp' });
  });

  it('a bad signature makes authorizationCodeGrant throw with non-repudiation checks on', async () => {
    const strict = await relyingParty(op, web);
    oidc.enableNonRepudiationChecks(strict);
    await op.faults.add({ kind: 'id_token_bad_signature', times: 1 });
    expect(await refusal(exchange(strict, await callback(strict)))).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE' });
    expect((await exchange(strict, await callback(strict))).claims()?.sub).toBe('alice');
  });
});

describe('a userinfo sub mismatch', () => {
  it('fetchUserInfo with the ID token\'s sub throws (OIDC Core 5.3.2)', async () => {
    const tokens = await autoLoginCodeFlow(config, redirectUri);
    await op.faults.add({ kind: 'userinfo_sub_mismatch', client: 'web' });
    expect(await refusal(oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub))).toMatchObject({ code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED' });
    expect(fired[0]).toMatchObject({ kind: 'userinfo_sub_mismatch', endpoint: 'userinfo', clientId: 'web' });
  });
});

describe('device-code polls', () => {
  it('stay authorization_pending N times, then access_denied: pollDeviceAuthorizationGrant throws access_denied', async () => {
    await op.faults.add({ kind: 'device_pending', pending: 2, client: 'web' });
    const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    // Poll quickly: the OP's interval (5 s) is the app's to honour, not this test's to wait out.
    const quick = { ...device, interval: 0.01 };
    const err = await oidc.pollDeviceAuthorizationGrant(config, quick).catch((e: unknown) => e);
    expect(err).toMatchObject({ error: 'access_denied' });
    expect(fired.map((e) => e.fired)).toEqual([1, 2, 3]);
    expect(await op.faults.list()).toEqual([]);
  });
});

describe('a denied consent', () => {
  it('the authorization endpoint answers access_denied to the app; openid-client throws AuthorizationResponseError', async () => {
    await op.faults.add({ kind: 'deny_consent', client: 'web', times: 1 });
    const cb = await callback();
    expect(cb.url.searchParams.get('error')).toBe('access_denied');
    expect(cb.url.searchParams.get('state')).toBe(cb.req.state);
    const err = await exchange(config, cb).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oidc.AuthorizationResponseError);
    expect(err).toMatchObject({ error: 'access_denied' });
    expect((await exchange(config, await callback())).access_token).toBeTruthy();
  });
});

describe('rules: list, clear, bad input', () => {
  it('lists rules with their counts; clear removes them all', async () => {
    await op.faults.add({ endpoint: 'userinfo', status: 502 });
    await op.faults.add({ endpoint: 'token', client: 'web', latency: '1s', error: 'slow_down' });
    const rules = await op.faults.list();
    expect(rules.map((r) => [r.endpoint, r.kind, r.latencyMs ?? 0])).toEqual([['userinfo', 'status', 0], ['token', 'error', 1000]]);
    expect(await op.faults.clear()).toBe(2);
    expect(await op.faults.list()).toEqual([]);
  });

  it('refuses rules that cannot fire, each with a clear message', async () => {
    const bad: [Parameters<DevOp['faults']['add']>[0], RegExp][] = [
      [{ endpoint: 'token' }, /say what the fault does/],
      [{ error: 'invalid_grant' }, /missing --endpoint/],
      [{ endpoint: 'nowhere', status: 500 }, /--endpoint must be one of/],
      [{ endpoint: 'token', client: 'ghost', status: 500 }, /no such client/],
      [{ endpoint: 'jwks', client: 'web', status: 500 }, /no client is known there/],
      [{ endpoint: 'token', status: 200 }, /--status must be a whole number from 400 to 599/],
      [{ endpoint: 'token', error: 'bad "code"' }, /not an OAuth error code/],
      [{ endpoint: 'token', latency: '2 hours' }, /--latency/],
      [{ endpoint: 'userinfo', kind: 'id_token_wrong_aud' }, /acts at the token endpoint/],
      [{ kind: 'device_pending', times: 2 }, /leave out --times/],
      [{ endpoint: 'token', error: 'x', times: 0 }, /--times/],
    ];
    for (const [input, message] of bad) await expect(op.faults.add(input), JSON.stringify(input)).rejects.toThrow(message);
    await expect(op.faults.add({ endpoint: 'token' })).rejects.toBeInstanceOf(UsageError);
    expect(await op.faults.list()).toEqual([]);
  });
});
