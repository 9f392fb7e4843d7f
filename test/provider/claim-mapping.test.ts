import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, DevOp } from '../../src/index.js';
import { startTestOp } from '../helpers/op.js';
import { authRequest, relyingParty } from './support.js';

let server: DevOp;

beforeAll(async () => {
  server = await startTestOp({ autoLogin: 'rita' });
  await server.users.add({
    username: 'rita', email: 'rita@example.com',
    claims: { roles: ['admin', 'editor'], groups: ['staff'], department: 'R&D' },
  });
});
afterAll(async () => {
  await server.stop();
});

interface Seen { access: Record<string, unknown>; id: Record<string, unknown>; userinfo: Record<string, unknown> }

/** rita logs in with `client` (openid-client, scope `openid` only unless given) and what each token and userinfo show. */
async function login(client: Client, scope = 'openid'): Promise<Seen> {
  const config = await relyingParty(server, client);
  const req = await authRequest(config, client.redirect_uris[0]!, { scope });
  const res = await fetch(req.url, { redirect: 'manual' });
  const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), {
    pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce,
  });
  const id = tokens.claims()!;
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, id.sub);
  return { access: decodeJwt(tokens.access_token), id: { ...id }, userinfo: { ...userinfo } };
}

const web = (id: string, extra: Record<string, unknown> = {}) => ({
  client_id: id, client_secret: `${id}-secret`, redirect_uris: ['http://localhost:3000/cb'], ...extra,
});

describe('claim mapping: which user claims go into which token', () => {
  it('without a mapping, custom claims reach no token (and not userinfo without profile)', async () => {
    const seen = await login(await server.clients.add(web('plain')));
    for (const out of Object.values(seen)) {
      expect(out).not.toHaveProperty('roles');
      expect(out).not.toHaveProperty('groups');
    }
  });

  it('puts the mapped claims where configured and nowhere else', async () => {
    const client = await server.clients.add(web('mapped', { access_token_claims: ['roles'], id_token_claims: ['groups'] }));
    const seen = await login(client);
    expect(seen.access.roles).toEqual(['admin', 'editor']);
    expect(seen.access).not.toHaveProperty('groups');
    expect(seen.id.groups).toEqual(['staff']);
    expect(seen.id).not.toHaveProperty('roles');
    expect(seen.userinfo).not.toHaveProperty('roles');
    expect(seen.userinfo).not.toHaveProperty('groups');
  });

  it('userinfo_claims releases a claim at userinfo whatever the scopes', async () => {
    const client = await server.clients.add(web('ui', { userinfo_claims: ['department'] }));
    const seen = await login(client);
    expect(seen.userinfo.department).toBe('R&D');
    expect(seen.access).not.toHaveProperty('department');
    expect(seen.id).not.toHaveProperty('department');
  });

  it('adds static and templated extra claims; a single placeholder keeps the value, a missing one is left out', async () => {
    const client = await server.clients.add(web('extra', {
      access_token_extra: { tenant: 'acme', mail: '{{user.email}}', who: '{{user.sub}} via {{client.client_id}}', r: '{{user.roles}}', none: '{{user.nope}}' },
      id_token_extra: { tenant: 'acme-id' },
    }));
    const seen = await login(client);
    expect(seen.access).toMatchObject({ tenant: 'acme', mail: 'rita@example.com', who: 'rita via extra', r: ['admin', 'editor'] });
    expect(seen.access).not.toHaveProperty('none');
    expect(seen.id.tenant).toBe('acme-id');
    expect(seen.userinfo).not.toHaveProperty('tenant');
  });

  it('never lets a mapping or extra override the protocol claims', async () => {
    await expect(server.clients.add(web('bad1', { access_token_claims: ['sub'] }))).rejects.toThrow(/set by the protocol/);
    await expect(server.clients.add(web('bad2', { access_token_extra: { aud: 'x' } }))).rejects.toThrow(/set by the protocol/);
    await expect(server.clients.add(web('bad3', { access_token_extra: { x: '{{env.HOME}}' } }))).rejects.toThrow(/not a placeholder/);
  });

  it('client update changes the mapping live', async () => {
    await server.clients.add(web('live', { grant_types: ['authorization_code', 'refresh_token'] }));
    const updated = await server.clients.update('live', { access_token_claims: ['groups'] });
    expect(updated.access_token_claims).toEqual(['groups']);
    const seen = await login(updated);
    expect(seen.access.groups).toEqual(['staff']);
  });
});
