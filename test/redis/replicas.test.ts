import * as oidc from 'openid-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDevOp, type DevOp } from '../../src/index.js';
import { autoLoginCodeFlow } from '../helpers/flows.js';
import { FormAgent } from '../helpers/browser-like.js';
import { devOp } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { confidentialClient } from '../helpers/op.js';
import { startRedisServer, type RedisServer } from '../helpers/redis.js';
import { authorize, authRequest, basic, decodeJwt, relyingParty } from '../provider/support.js';

/**
 * Two dev-op replicas on one Redis and one issuer behave as one OP (issue 14): whatever one
 * issues, the other honours; what one revokes, the other refuses; changes made with the CLI's
 * --store reach both within a second; a paused Redis is a 503, then service resumes by itself.
 */

let redis: RedisServer;
let databases = 0;
const replicas: DevOp[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterEach(async () => {
  redis.resume();
  await Promise.all(replicas.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await redis?.stop();
});

/** Two replicas on a database of their own (the DB number in the URL is honoured), one issuer: A's address. */
async function twoReplicas(options: { autoLogin?: string } = {}): Promise<{ a: DevOp; b: DevOp; url: string }> {
  const url = redis.url(++databases);
  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const common = { store: url, issuer, log: 'none' as const, ...options };
  // At the same moment, on an empty database: one seeds it, the other finds it seeded.
  const [a, b] = await Promise.all([startDevOp({ ...common, port }), startDevOp({ ...common, port: 0 })]);
  replicas.push(a, b);
  return { a, b, url };
}

/** An openid-client configuration whose endpoints are those of `replica` (the issuer stays A's). */
async function at(replica: DevOp, config: oidc.Configuration): Promise<oidc.Configuration> {
  const here = new URL(`http://localhost:${replica.port}`);
  const metadata = Object.fromEntries(Object.entries(config.serverMetadata()).map(([k, v]) => {
    if (typeof v !== 'string' || !v.startsWith(replica.issuer) || k === 'issuer') return [k, v];
    return [k, here.origin + v.slice(replica.issuer.length)];
  })) as oidc.ServerMetadata;
  const client = config.clientMetadata();
  const secret = client.client_secret as string;
  const moved = new oidc.Configuration(metadata, client.client_id, secret, oidc.ClientSecretBasic(secret));
  oidc.allowInsecureRequests(moved);
  return moved;
}

const token = (replica: DevOp, form: Record<string, string>, id: string, secret: string): Promise<Response> =>
  fetch(`http://localhost:${replica.port}/token`, {
    method: 'POST', headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });

describe('two replicas on one Redis', () => {
  it('start together on an empty Redis: one signing key, one default client, the same JWKS at both', async () => {
    const { a, b } = await twoReplicas();
    expect(await a.keys.list()).toHaveLength(1);
    expect((await b.clients.list()).map((c) => c.client_id)).toEqual(['app']);
    const jwks = await Promise.all([a, b].map(async (r) => (await fetch(`http://localhost:${r.port}/jwks`)).text()));
    expect(jwks[0]).toBe(jwks[1]);
  });

  it('a code issued by one replica is redeemed at the other, and its refresh token too', async () => {
    const { a, b } = await twoReplicas({ autoLogin: 'alice' });
    const client = await a.clients.add(confidentialClient());
    const config = await relyingParty(a, client);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://localhost:3000/cb', scope: 'openid offline_access', state: 's',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const callback = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
    const tokens = await oidc.authorizationCodeGrant(await at(b, config), callback, { pkceCodeVerifier: verifier, expectedState: 's' });
    expect(tokens.claims()?.iss).toBe(a.issuer);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
  });

  it('a refresh token reused at the other replica is refused there and revokes the grant at both', async () => {
    const { a, b } = await twoReplicas({ autoLogin: 'alice' });
    const client = await a.clients.add(confidentialClient());
    const config = await relyingParty(a, client);
    const first = await autoLoginCodeFlow(config, 'http://localhost:3000/cb');
    const rotated = await oidc.refreshTokenGrant(config, first.refresh_token!); // at A
    const reuse = await token(b, { grant_type: 'refresh_token', refresh_token: first.refresh_token! }, 'web', 'web-secret');
    expect(reuse.status).toBe(400);
    expect((await reuse.json()).error).toBe('invalid_grant');
    // The whole grant is gone, at A as well: the rotated token no longer works anywhere.
    const after = await token(a, { grant_type: 'refresh_token', refresh_token: rotated.refresh_token! }, 'web', 'web-secret');
    expect((await after.json()).error).toBe('invalid_grant');
    const introspected = await fetch(`http://localhost:${b.port}/token/introspection`, {
      method: 'POST', headers: { authorization: basic('web', 'web-secret'), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: rotated.access_token }).toString(),
    });
    expect(await introspected.json()).toEqual({ active: false });
  });

  it("a session cookie set by one replica is honoured by the other (prompt=none, no login page)", async () => {
    const { a, b } = await twoReplicas();
    const client = await a.clients.add(confidentialClient({ skip_consent: true }));
    const config = await relyingParty(a, client);
    const agent = new FormAgent();
    const callback = await authorize(agent, (await authRequest(config, 'http://localhost:3000/cb')).url, 'alice');
    expect(callback.searchParams.get('code')).toBeTruthy();
    const again = await authRequest(await at(b, config), 'http://localhost:3000/cb', { prompt: 'none' });
    const res = await agent.fetch(again.url.toString());
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('error')).toBeNull();
    expect(back.searchParams.get('code')).toBeTruthy();
  });

  it('of 20 parallel redemptions of one code spread over both replicas, at most one gets tokens (RFC 6749 4.1.2)', async () => {
    const { a, b } = await twoReplicas({ autoLogin: 'alice' });
    const client = await a.clients.add(confidentialClient());
    const config = await relyingParty(a, client);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: 'http://localhost:3000/cb', scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const code = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
    const form = { grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:3000/cb', code_verifier: verifier };
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => token(i % 2 ? a : b, form, 'web', 'web-secret')));
    const bodies = await Promise.all(results.map(async (r) => [r.status, await r.text()]));
    // The replays also revoke what the first redemption issued, possibly before it answered: 0 or 1.
    expect(bodies.filter(([s]) => s === 200).length).toBeLessThanOrEqual(1);
    const refused = bodies.filter(([s]) => s !== 200);
    expect(refused.length).toBeGreaterThanOrEqual(19);
    for (const [status, body] of refused) expect([status, JSON.parse(body as string).error]).toEqual([400, 'invalid_grant']);
  });

  it('a client added with the CLI (--store) is usable at both replicas within a second', async () => {
    const { a, b, url } = await twoReplicas();
    const added = await devOp(['client', 'add', '--id', 'svc', '--secret', 'svc-secret', '--grant', 'client_credentials', '--store', url]);
    expect(added.exitCode, added.stderr).toBe(0);
    const since = Date.now();
    for (const replica of [a, b]) {
      await expect.poll(async () => (await token(replica, { grant_type: 'client_credentials' }, 'svc', 'svc-secret')).status, { timeout: 1000, interval: 50 }).toBe(200);
    }
    expect(Date.now() - since).toBeLessThan(1000);
  });

  it('after `jwks rotate --store` both replicas publish the new key and sign with it within a second', async () => {
    const { a, b, url } = await twoReplicas();
    await a.clients.add(confidentialClient({ client_id: 'svc', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }));
    // Both have their key ring cached (a token signed, the JWKS served) before the rotation.
    for (const r of [a, b]) expect((await token(r, { grant_type: 'client_credentials' }, 'svc', 'web-secret')).status).toBe(200);
    const rotated = await devOp(['jwks', 'rotate', '--alg', 'ES256', '--store', url, '--json']);
    expect(rotated.exitCode, rotated.stderr).toBe(0);
    const kid = (JSON.parse(rotated.stdout) as { key: { kid: string } }).key.kid;
    for (const r of [a, b]) {
      await expect.poll(async () => {
        const res = await token(r, { grant_type: 'client_credentials' }, 'svc', 'web-secret');
        return decodeJwt(((await res.json()) as { access_token: string }).access_token).header.kid;
      }, { timeout: 1000, interval: 50 }).toBe(kid);
      const jwks = (await (await fetch(`http://localhost:${r.port}/jwks`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toContain(kid);
    }
  });

  it('a paused Redis is a JSON 503 temporarily_unavailable within 5 s, and service resumes within 5 s of its return', async () => {
    const { a, b } = await twoReplicas();
    await a.clients.add(confidentialClient({ client_id: 'svc', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }));
    const cc = (r: DevOp) => token(r, { grant_type: 'client_credentials' }, 'svc', 'web-secret');
    expect((await cc(b)).status).toBe(200);
    redis.pause();
    for (const r of [a, b]) {
      const started = Date.now();
      const res = await cc(r);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await res.json()) as { error: string }).error).toBe('temporarily_unavailable');
    }
    redis.resume();
    const back = Date.now();
    for (const r of [a, b]) await expect.poll(async () => (await cc(r)).status, { timeout: 5000, interval: 100 }).toBe(200);
    expect(Date.now() - back).toBeLessThan(5000);
  });

  it('a restarted Redis (down, then back from its append-only file): 503 meanwhile, then both replicas serve again', async () => {
    const { a, b } = await twoReplicas();
    await a.clients.add(confidentialClient({ client_id: 'svc', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] }));
    const cc = (r: DevOp) => token(r, { grant_type: 'client_credentials' }, 'svc', 'web-secret');
    expect((await cc(a)).status).toBe(200);
    const restarted = redis.restart({ downMs: 3000 });
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    const down = await cc(b);
    expect(Date.now() - started).toBeLessThan(5000);
    expect([down.status, ((await down.json()) as { error: string }).error]).toEqual([503, 'temporarily_unavailable']);
    await restarted;
    const back = Date.now();
    // The client survived the restart, and the scripts are loaded again as needed (NOSCRIPT → EVAL).
    for (const r of [a, b]) await expect.poll(async () => (await cc(r)).status, { timeout: 5000, interval: 100 }).toBe(200);
    expect(Date.now() - back).toBeLessThan(5000);
  });
});
