import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, DevOp } from '../../src/index.js';
import { FormAgent, formAction, inputValue } from '../helpers/browser-like.js';
import { startTestOp } from '../helpers/op.js';
import { authRequest, relyingParty } from './support.js';

/** A relying party's web server publishing sector identifier documents (OIDC Core 8.1). */
let sectors: Server;
let sectorBase: string;
const documents: Record<string, unknown> = {};
let server: DevOp;

beforeAll(async () => {
  sectors = createServer((req, res) => {
    const body = documents[req.url ?? ''];
    res.statusCode = body === undefined ? 404 : 200;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve) => sectors.listen(0, '127.0.0.1', resolve));
  sectorBase = `http://127.0.0.1:${(sectors.address() as AddressInfo).port}`;
  server = await startTestOp({ autoLogin: 'alice' });
});
afterAll(async () => {
  await server.stop();
  await new Promise((resolve) => sectors.close(resolve));
});

interface Seen { idToken: string; accessToken: string; userinfo: string; introspection: string }

/** Log alice in with `client` (openid-client) and collect the sub each output shows. */
async function subsSeenBy(op: DevOp, client: Client): Promise<Seen> {
  const config = await relyingParty(op, client);
  const redirectUri = client.redirect_uris[0]!;
  const req = await authRequest(config, redirectUri);
  const res = await fetch(req.url, { redirect: 'manual' });
  const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), {
    pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
  });
  const idToken = tokens.claims()!.sub;
  // openid-client checks that userinfo's sub is the ID token's (OIDC Core 5.3.2).
  const userinfo = (await oidc.fetchUserInfo(config, tokens.access_token, idToken)).sub;
  const introspection = String((await oidc.tokenIntrospection(config, tokens.access_token)).sub);
  return { idToken, accessToken: String(decodeJwt(tokens.access_token).sub), userinfo, introspection };
}

const pairwise = (id: string, redirectUri: string, extra: Record<string, unknown> = {}) => ({
  client_id: id, client_secret: `${id}-secret`, redirect_uris: [redirectUri], subject_type: 'pairwise' as const, ...extra,
});

describe('pairwise subject identifiers (OIDC Core 8.1)', () => {
  it('gives clients of different sectors different subs for one user; ID token, access token, userinfo and introspection agree', async () => {
    const a = await server.clients.add(pairwise('pw-a', 'http://localhost:3000/cb'));
    const b = await server.clients.add(pairwise('pw-b', 'http://localhost:3001/cb'));
    const sameSector = await server.clients.add(pairwise('pw-a2', 'http://localhost:3000/other'));
    const plain = await server.clients.add({ client_id: 'pub', client_secret: 'pub-secret', redirect_uris: ['http://localhost:3000/cb'] });
    expect(a.subject_type).toBe('pairwise');

    const seenA = await subsSeenBy(server, a);
    const seenB = await subsSeenBy(server, b);
    for (const seen of [seenA, seenB]) {
      expect(new Set(Object.values(seen)).size, JSON.stringify(seen)).toBe(1);
      expect(seen.idToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(seen.idToken).not.toBe('alice');
    }
    expect(seenA.idToken).not.toBe(seenB.idToken);
    // One sector, one sub: the two clients on localhost:3000 see the same.
    expect((await subsSeenBy(server, sameSector)).idToken).toBe(seenA.idToken);
    // A public client sees the user's own sub.
    expect(await subsSeenBy(server, plain)).toEqual({ idToken: 'alice', accessToken: 'alice', userinfo: 'alice', introspection: 'alice' });
    // Stable: the same client logging in again sees the same sub.
    expect((await subsSeenBy(server, a)).idToken).toBe(seenA.idToken);
  });

  it('token mint gives a pairwise client the sub its logins show', async () => {
    const client = await server.clients.get('pw-a');
    const seen = await subsSeenBy(server, client);
    const minted = await server.tokens.mint({ user: 'alice', client: 'pw-a' });
    expect(minted.claims?.sub).toBe(seen.idToken);
    const id = await server.tokens.mint({ user: 'alice', client: 'pw-a', type: 'id' });
    expect(id.claims?.sub).toBe(seen.idToken);
    // The server accepts the minted access token and shows the same sub at userinfo.
    const info = await fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${minted.token}` } });
    expect(((await info.json()) as { sub: string }).sub).toBe(seen.idToken);
  });

  it('keeps subject_type and sector_identifier_uri through export and a fixture', async () => {
    documents['/sector-export'] = ['http://localhost:3000/cb'];
    await server.clients.add(pairwise('pw-export', 'http://localhost:3000/cb', { sector_identifier_uri: `${sectorBase}/sector-export` }));
    const fixture = await server.export();
    const again = await startTestOp({ fixture });
    try {
      expect(await again.clients.get('pw-export')).toMatchObject({ subject_type: 'pairwise', sector_identifier_uri: `${sectorBase}/sector-export` });
    } finally {
      await again.stop();
    }
  });

  it('discovery lists pairwise in subject_types_supported', async () => {
    const discovery = (await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.subject_types_supported).toEqual(['public', 'pairwise']);
  });

  it('refuses a pairwise client whose redirect URIs span hosts without a sector_identifier_uri', async () => {
    await expect(server.clients.add(pairwise('pw-two-hosts', 'http://localhost:3000/cb', {
      redirect_uris: ['http://localhost:3000/cb', 'http://app.localhost:3000/cb'],
    }))).rejects.toThrow('needs --sector-identifier-uri');
  });

  it('accepts a sector_identifier_uri listing every redirect URI; its host is the sector', async () => {
    const uris = ['http://localhost:3000/cb', 'http://app.localhost:3000/cb'];
    documents['/sector-ok'] = [...uris, 'http://localhost:3000/unused'];
    const client = await server.clients.add(pairwise('pw-sector', uris[0]!, { redirect_uris: uris, sector_identifier_uri: `${sectorBase}/sector-ok` }));
    expect(client.sector_identifier_uri).toBe(`${sectorBase}/sector-ok`);
    const seen = await subsSeenBy(server, client);
    expect(seen.idToken).not.toBe((await subsSeenBy(server, await server.clients.get('pw-a'))).idToken);
  });

  it('refuses a sector_identifier_uri that does not list a redirect URI, or that is not a JSON array', async () => {
    documents['/sector-missing'] = ['http://localhost:3000/cb'];
    documents['/sector-object'] = { redirect_uris: ['http://localhost:3000/cb'] };
    await expect(server.clients.add(pairwise('pw-missing', 'http://localhost:3000/cb', {
      redirect_uris: ['http://localhost:3000/cb', 'http://localhost:3000/cb2'], sector_identifier_uri: `${sectorBase}/sector-missing`,
    }))).rejects.toThrow('does not list the redirect URI http://localhost:3000/cb2');
    await expect(server.clients.add(pairwise('pw-object', 'http://localhost:3000/cb', { sector_identifier_uri: `${sectorBase}/sector-object` })))
      .rejects.toThrow('must answer a JSON array');
    await expect(server.clients.add(pairwise('pw-404', 'http://localhost:3000/cb', { sector_identifier_uri: `${sectorBase}/nothing` })))
      .rejects.toThrow('HTTP 404');
    await expect(server.clients.add(pairwise('pw-http', 'http://localhost:3000/cb', { sector_identifier_uri: 'http://example.com/sector' })))
      .rejects.toThrow('must be https');
    // Updating a client to a sector that does not list its redirect URIs is refused too, and changes nothing.
    await expect(server.clients.update('pw-a', { sector_identifier_uri: `${sectorBase}/sector-object` })).rejects.toThrow('must answer a JSON array');
    expect((await server.clients.get('pw-a')).sector_identifier_uri).toBeUndefined();
  });

  it('registers a pairwise client at /reg; a sector_identifier_uri lacking a redirect URI is invalid_client_metadata', async () => {
    documents['/sector-reg'] = ['http://localhost:3002/cb'];
    const bad = await fetch(`${server.issuer}/reg`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://localhost:3002/cb', 'http://localhost:3002/other'], subject_type: 'pairwise', sector_identifier_uri: `${sectorBase}/sector-reg` }),
    });
    expect(bad.status).toBe(400);
    const error = (await bad.json()) as Record<string, string>;
    expect(error.error).toBe('invalid_client_metadata');
    expect(error.error_description).toContain('sector_identifier_uri');

    const config = await oidc.dynamicClientRegistration(new URL(server.issuer), {
      redirect_uris: ['http://localhost:3002/cb'], subject_type: 'pairwise', sector_identifier_uri: `${sectorBase}/sector-reg`,
      token_endpoint_auth_method: 'client_secret_basic',
    }, oidc.ClientSecretBasic(), { execute: [oidc.allowInsecureRequests] }).catch(() => undefined);
    expect(config?.clientMetadata().subject_type).toBe('pairwise');
    const registered = await server.clients.get(config!.clientMetadata().client_id);
    const seen = await subsSeenBy(server, registered);
    expect(seen.idToken).not.toBe('alice');
  });
});

describe('id_token_hint of a pairwise client', () => {
  it('names the session\'s user: prompt=none with the hint the client got answers with a code, not login_required', async () => {
    const op = await startTestOp();
    try {
      const client = await op.clients.add({ ...pairwise('pw-hint', 'http://localhost:3000/cb'), skip_consent: true });
      const config = await relyingParty(op, client);
      const agent = new FormAgent();
      const url = (extra: Record<string, string>) => oidc.buildAuthorizationUrl(config, {
        redirect_uri: 'http://localhost:3000/cb', scope: 'openid', state: 'st', nonce: 'n', ...extra,
      }).href;
      const first = await agent.fetch(url({}));
      const html = await (await agent.fetch(first.headers.get('location')!)).text();
      const back = await agent.fetch(formAction(html, /\/login$/)!, { form: { csrf: inputValue(html, 'csrf')!, username: 'alice' } });
      const tokens = await oidc.authorizationCodeGrant(config, new URL(back.headers.get('location')!), { expectedState: 'st', expectedNonce: 'n' });
      expect(tokens.claims()!.sub).not.toBe('alice');
      const again = await agent.fetch(url({ prompt: 'none', id_token_hint: tokens.id_token! }));
      const answer = new URL(again.headers.get('location')!);
      expect(answer.searchParams.get('error')).toBeNull();
      expect(answer.searchParams.get('code')).toBeTruthy();
    } finally {
      await op.stop();
    }
  });
});

describe('pairwise subjects switched off', () => {
  it('advertises public only and gives a pairwise client the user\'s own sub', async () => {
    const off = await startTestOp({ autoLogin: 'alice', features: { pairwiseSubjects: { enabled: false } } });
    try {
      const discovery = (await (await fetch(`${off.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(discovery.subject_types_supported).toEqual(['public']);
      const client = await off.clients.add(pairwise('pw-off', 'http://localhost:3000/cb'));
      expect((await subsSeenBy(off, client)).idToken).toBe('alice');
      const res = await fetch(`${off.issuer}/reg`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: ['http://localhost:3000/cb'], subject_type: 'pairwise' }),
      });
      expect(((await res.json()) as Record<string, string>).error).toBe('invalid_client_metadata');
    } finally {
      await off.stop();
    }
  });
});
