import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent } from '../helpers/browser-like.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { authorize, authRequest, location, relyingParty } from '../provider/support.js';

describe('several issuers on one server (op.issuers)', () => {
  let op: DevOp;
  let tenant: DevOp;
  beforeAll(async () => {
    op = await startTestOp();
    tenant = await op.issuers.add('tenant-a');
    await op.clients.add(confidentialClient());
    await tenant.clients.add(confidentialClient());
  });
  afterAll(() => op.stop());

  it('serves the named issuer at /<name>, seeded like a fresh data file, with its own discovery', async () => {
    expect(tenant.issuer).toBe(`${op.issuer}/tenant-a`);
    const doc = await (await fetch(`${op.issuer}/tenant-a/.well-known/openid-configuration`)).json() as Record<string, string>;
    expect(doc.issuer).toBe(tenant.issuer);
    expect(doc.token_endpoint).toBe(`${tenant.issuer}/token`);
    expect(doc.jwks_uri).toBe(`${tenant.issuer}/jwks`);
    expect((await tenant.clients.list()).map((c) => c.client_id).sort()).toEqual(['app', 'web']);
    expect((await tenant.users.list()).map((u) => u.username)).toEqual(['alice']);
    expect(await op.issuers.list()).toEqual([{ name: 'tenant-a', issuer: tenant.issuer }]);
  });

  it('routes by the whole first path segment: /tenant-ab is the default issuer\'s (404), not tenant-a\'s', async () => {
    expect((await fetch(`${op.issuer}/tenant-ab/.well-known/openid-configuration`)).status).toBe(404);
    expect((await fetch(`${op.issuer}/tenant-a?x=1`)).status).toBe(200);
  });

  it('keeps clients apart: one added to the tenant does not exist at the default issuer', async () => {
    await tenant.clients.add({ client_id: 'only-tenant', redirect_uris: ['http://localhost:3000/cb'] });
    await expect(op.clients.get('only-tenant')).rejects.toThrow(/only-tenant/);
    expect((await tenant.clients.get('only-tenant')).client_id).toBe('only-tenant');
  });

  it('signs with its own keys: a token of one issuer does not verify against the other\'s JWKS, and iss differs', async () => {
    const [a, b] = await Promise.all([
      op.tokens.mint({ user: 'alice', client: 'web' }),
      tenant.tokens.mint({ user: 'alice', client: 'web' }),
    ]);
    const jwksA = createRemoteJWKSet(new URL(`${op.issuer}/jwks`));
    const jwksB = createRemoteJWKSet(new URL(`${tenant.issuer}/jwks`));
    expect((await jwtVerify(a.token, jwksA)).payload.iss).toBe(op.issuer);
    expect((await jwtVerify(b.token, jwksB)).payload.iss).toBe(tenant.issuer);
    await expect(jwtVerify(a.token, jwksB)).rejects.toThrow();
    await expect(jwtVerify(b.token, jwksA)).rejects.toThrow();
  });

  it('does not share sessions: logged in at the default issuer, prompt=none at the tenant is login_required', async () => {
    const agent = new FormAgent();
    const rpDefault = await relyingParty(op, confidentialClient());
    const first = await authRequest(rpDefault, 'http://localhost:3000/cb');
    const callback = await authorize(agent, first.url);
    expect(callback.searchParams.get('code')).toBeTruthy();
    // The same browser (every cookie sent, whatever its path) at the tenant, with openid-client.
    const rpTenant = await relyingParty(tenant, confidentialClient());
    expect(rpTenant.serverMetadata().issuer).toBe(tenant.issuer);
    const silent = await authRequest(rpTenant, 'http://localhost:3000/cb', { prompt: 'none' });
    const answer = new URL(location(await agent.fetch(silent.url.toString())));
    expect(answer.searchParams.get('error')).toBe('login_required');
    // And at the default issuer the session is there: prompt=none succeeds.
    const again = await authRequest(rpDefault, 'http://localhost:3000/cb', { prompt: 'none' });
    expect(new URL(location(await agent.fetch(again.url.toString()))).searchParams.get('code')).toBeTruthy();
  });

  it('completes a whole code flow at the tenant with openid-client', async () => {
    const config = await relyingParty(tenant, confidentialClient());
    const request = await authRequest(config, 'http://localhost:3000/cb');
    const callback = await authorize(new FormAgent(), request.url);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce,
    }, undefined, { execute: [oidc.allowInsecureRequests] } as never);
    expect(tokens.claims()?.iss).toBe(tenant.issuer);
  });

  it('refuses bad or taken names with a clear message', async () => {
    await expect(op.issuers.add('Tenant_A')).rejects.toThrow(/lowercase letters, digits/);
    await expect(op.issuers.add('token')).rejects.toThrow(/OP's own \/token route/);
    await expect(op.issuers.add('.well-known')).rejects.toThrow(/not allowed/);
    await expect(op.issuers.add('tenant-a')).rejects.toThrow(/exists already/);
  });

  it('remove stops serving it (404) and the default issuer stays', async () => {
    const gone = await op.issuers.add('gone');
    expect((await fetch(`${gone.issuer}/.well-known/openid-configuration`)).status).toBe(200);
    await op.issuers.remove('gone');
    expect((await fetch(`${op.issuer}/gone/.well-known/openid-configuration`)).status).toBe(404);
    expect(() => op.issuers.get('gone')).toThrow(/no issuer gone/);
    await expect(op.issuers.remove('gone')).rejects.toThrow(/no issuer gone/);
    expect((await fetch(`${op.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  });
});

describe('named issuers on a data file (op.issuers)', () => {
  it('keeps each in its own 0600 data file, serves it again after a restart, and remove deletes it', async () => {
    const { mkdtemp, rm, stat } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'dev-op-issuers-'));
    const data = join(dir, '.dev-op', 'db.json');
    const file = join(dir, '.dev-op', 'db.issuers', 'tenant-a.json');
    try {
      const first = await startTestOp({ memory: false, data });
      const tenant = await first.issuers.add('tenant-a');
      await tenant.users.add({ username: 'carol' });
      await first.stop();
      expect((await stat(file)).mode & 0o777).toBe(0o600);

      const second = await startTestOp({ memory: false, data });
      try {
        const again = second.issuers.get('tenant-a');
        expect(again.issuer).toBe(`${second.issuer}/tenant-a`);
        expect((await again.users.list()).map((u) => u.username).sort()).toEqual(['alice', 'carol']);
        expect((await second.users.list()).map((u) => u.username)).toEqual(['alice']);
        await second.issuers.remove('tenant-a');
        await expect(stat(file)).rejects.toThrow(/ENOENT/);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
