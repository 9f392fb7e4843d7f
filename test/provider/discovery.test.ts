import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import type { GrantType } from '../../src/store/types.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { tokenRequest } from './support.js';

let server: DevOp;

beforeAll(async () => {
  server = await startTestOp();
});
afterAll(async () => {
  await server.stop();
});

async function metadata(path: string): Promise<Record<string, unknown>> {
  const res = await fetch(server.issuer + path);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return (await res.json()) as Record<string, unknown>;
}

describe('discovery', () => {
  it('serves the same document at both well-known paths, naming this issuer', async () => {
    const openid = await metadata('/.well-known/openid-configuration');
    const oauth = await metadata('/.well-known/oauth-authorization-server');
    expect(oauth).toEqual(openid);
    expect(openid.issuer).toBe(server.issuer);
  });

  it('advertises the code flow with S256 PKCE and the implemented client authentication methods', async () => {
    const doc = await metadata('/.well-known/openid-configuration');
    expect(doc.response_types_supported).toContain('code');
    expect(doc.response_modes_supported).toContain('query');
    expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'client_credentials', 'refresh_token']));
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    // OIDC Core 8.1: pairwise subjects are on by default (features.pairwiseSubjects).
    expect(doc.subject_types_supported).toEqual(['public', 'pairwise']);
    expect(doc.registration_endpoint).toBe(`${server.issuer}/reg`);
    expect(doc.id_token_signing_alg_values_supported).toContain('RS256');
    expect(doc.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']));
    // Request objects by value (RFC 9101); request_uri only as a pushed request's URN, never fetched.
    expect(doc.request_parameter_supported).toBe(true);
    expect(doc.request_uri_parameter_supported).toBe(false);
    expect(doc.authorization_response_iss_parameter_supported).toBe(true);
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
  });

  it('every advertised response type and mode is accepted at /auth; others are refused', async () => {
    const doc = await metadata('/.well-known/openid-configuration');
    const types = doc.response_types_supported as string[];
    await server.store.addClient(confidentialClient({ client_id: 'all-types', response_types: types }));
    const ask = async (params: Record<string, string>) => {
      const query = new URLSearchParams({
        client_id: 'all-types', redirect_uri: 'http://localhost:3000/cb', scope: 'openid', nonce: 'n-1', state: 's-1', ...params,
      });
      const res = await fetch(`${server.issuer}/auth?${query}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      return new URL(res.headers.get('location')!);
    };
    for (const type of types) {
      // Without a session, an accepted request goes on to the login interaction.
      expect((await ask({ response_type: type })).pathname, type).toMatch(/^\/interaction\//);
    }
    for (const mode of doc.response_modes_supported as string[]) {
      expect((await ask({ response_type: 'code', response_mode: mode })).pathname, mode).toMatch(/^\/interaction\//);
    }
    const refused = await ask({ response_type: 'code', response_mode: 'web_message' });
    expect(refused.searchParams.get('error')).toBe('invalid_request');
  });

  it('every advertised grant type is served by the token endpoint; others are unsupported', async () => {
    const doc = await metadata('/.well-known/openid-configuration');
    const grants = doc.grant_types_supported as GrantType[];
    await server.store.addClient(confidentialClient({ client_id: 'all-grants', grant_types: grants }));
    const grant = async (grantType: string) => {
      const res = await tokenRequest(server, { grant_type: grantType }, { id: 'all-grants', secret: 'web-secret' });
      return ((await res.json()) as { error?: string }).error;
    };
    for (const g of grants) expect(await grant(g), g).not.toBe('unsupported_grant_type');
    expect(await grant('urn:example:not-a-grant')).toBe('unsupported_grant_type');
  });

  it('points at endpoints that exist on this server', async () => {
    const doc = await metadata('/.well-known/openid-configuration');
    expect(doc).toMatchObject({
      authorization_endpoint: `${server.issuer}/auth`,
      token_endpoint: `${server.issuer}/token`,
      userinfo_endpoint: `${server.issuer}/me`,
      jwks_uri: `${server.issuer}/jwks`,
      end_session_endpoint: `${server.issuer}/session/end`,
    });
    // Every advertised endpoint is routed (an error for a bare request is fine; 404 is not).
    const endpoints = Object.entries(doc).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri');
    expect(endpoints.length).toBeGreaterThanOrEqual(5);
    for (const [name, url] of endpoints) {
      expect(String(url).startsWith(`${server.issuer}/`), name).toBe(true);
      const [get, post] = await Promise.all([fetch(url as string, { redirect: 'manual' }), fetch(url as string, { method: 'POST', redirect: 'manual' })]);
      expect([get.status, post.status].some((s) => s !== 404 && s !== 405), name).toBe(true);
    }
    expect((await fetch(doc.jwks_uri as string)).status).toBe(200);
  });

  it('is accepted by openid-client discovery', async () => {
    const config = await oidc.discovery(new URL(server.issuer), 'app', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    expect(config.serverMetadata().issuer).toBe(server.issuer);
    expect(config.serverMetadata().supportsPKCE()).toBe(true);
  });

  it('answers unknown paths with 404 and wrong methods with 405 and Allow', async () => {
    expect((await fetch(`${server.issuer}/nope`)).status).toBe(404);
    const res = await fetch(`${server.issuer}/.well-known/openid-configuration`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('GET');
  });
});

describe('jwks', () => {
  it('holds only public key members, each key with a kid matching the signing alg', async () => {
    const res = await fetch(`${server.issuer}/jwks`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/(jwk-set\+)?json/);
    const { keys } = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(typeof key.kid).toBe('string');
      expect(key.kid).not.toBe('');
      expect(key.kty).toBe('RSA');
      expect(key).toHaveProperty('n');
      expect(key).toHaveProperty('e');
      for (const priv of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) expect(key, priv).not.toHaveProperty(priv);
    }
  });
});
