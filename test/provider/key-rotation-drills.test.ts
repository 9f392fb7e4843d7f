import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, parseFixture, UsageError, type DevOp } from '../../src/index.js';
import { autoLoginCodeFlow } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { relyingParty } from './support.js';

/**
 * Key-rotation drills: rotate({ publishOnly }) puts the next key in the JWKS before it signs,
 * activate makes it sign, retire takes the old one out, so an app's JWKS caching can be tested.
 */
const web = confidentialClient();
const redirectUri = web.redirect_uris[0]!;
let op: DevOp;

beforeAll(async () => {
  op = await startTestOp({ autoLogin: 'alice' });
  await op.store.addClient(web);
  await op.keysReady;
});
afterAll(async () => {
  await op.stop();
});

const jwks = async () => (await (await fetch(`${op.issuer}/jwks`)).json()) as JSONWebKeySet;
const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
const states = async () => Object.fromEntries((await op.keys.list()).map((k) => [k.kid, k.state]));

async function signIn() {
  const config = await relyingParty(op, web);
  oidc.enableNonRepudiationChecks(config);
  return autoLoginCodeFlow(config, redirectUri, 'openid');
}

describe('publish, activate, retire', () => {
  it('walks an app through a rotation: each step is visible in /jwks and in the tokens', async () => {
    const old = (await op.keys.list()).find((k) => k.active)!.kid;
    const cachedBefore = await jwks();

    // 1. publish-only: the next key is in the JWKS, but tokens are still signed by the old one.
    const { key: next } = await op.keys.rotate({ publishOnly: true });
    expect(next.state).toBe('next');
    expect(next.signs).toEqual([]);
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([next.kid, old]);
    const during = await signIn();
    expect(kidOf(during.id_token!)).toBe(old);
    expect(kidOf(during.access_token)).toBe(old);
    expect(await states()).toEqual({ [next.kid]: 'next', [old]: 'active' });
    // An app that refreshed its JWKS now holds the next key before it signs.
    const cachedDuring = await jwks();

    // 2. activate: the new key signs; the old one stays published for what it signed.
    const activated = await op.keys.activate(next.kid);
    expect(activated).toMatchObject({ kid: next.kid, state: 'active', signs: ['access tokens', 'ID tokens'] });
    const after = await signIn();
    expect(kidOf(after.id_token!)).toBe(next.kid);
    expect(kidOf(after.access_token)).toBe(next.kid);
    await expect(jwtVerify(after.id_token!, createLocalJWKSet(cachedDuring), { issuer: op.issuer })).resolves.toBeTruthy();
    // An app still holding the JWKS from before the drill cannot verify the new tokens: the bug the drill finds.
    await expect(jwtVerify(after.id_token!, createLocalJWKSet(cachedBefore), { issuer: op.issuer })).rejects.toThrow(/no applicable key|matching key/i);
    expect(await states()).toEqual({ [next.kid]: 'active', [old]: 'published' });
    // A token the old key signed still works at userinfo.
    expect((await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${during.access_token}` } })).status).toBe(200);

    // 3. retire: the old key leaves the JWKS, and what it signed stops verifying, here too.
    const retired = await op.keys.retire(old);
    expect(retired).toMatchObject({ kid: old, state: 'retired', signs: [] });
    expect((await jwks()).keys.map((k) => k.kid)).toEqual([next.kid]);
    expect((await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${during.access_token}` } })).status).toBe(401);
    expect((await fetch(`${op.issuer}/me`, { headers: { authorization: `Bearer ${after.access_token}` } })).status).toBe(200);
    expect(await states()).toEqual({ [next.kid]: 'active', [old]: 'retired' });
    // The drill's state survives export and a fixture made from it (--seed, reset).
    const exported = await op.export({ includeKeys: true });
    expect(exported.keys).toEqual(expect.arrayContaining([expect.objectContaining({ kid: old, status: 'retired' })]));
    expect(parseFixture(exported, 'the export').keys).toEqual(exported.keys);
    expect(() => parseFixture({ keys: [{ ...exported.keys![0], status: 'gone' }] }, 'f.json')).toThrow(/status: must be "next" or "retired"/);
  });

  it('refuses to retire the signing key, to activate a retired key, and names unknown kids', async () => {
    const active = (await op.keys.list()).find((k) => k.active)!;
    await expect(op.keys.retire(active.kid)).rejects.toThrow(UsageError);
    await expect(op.keys.retire(active.kid)).rejects.toThrow(/is the only signing key: retiring it would leave nothing to sign with; first `dev-op jwks rotate --publish-only`/);
    const { key: next } = await op.keys.rotate({ publishOnly: true });
    await expect(op.keys.retire(active.kid)).rejects.toThrow(/is the active signing key/);
    // A published-only key may be retired before it ever signs.
    expect((await op.keys.retire(next.kid)).state).toBe('retired');
    await expect(op.keys.activate(next.kid)).rejects.toThrow(/is retired/);
    await expect(op.keys.activate('no-such-kid')).rejects.toThrow(NotFoundError);
    await expect(op.keys.rotate({ publishOnly: true, retire: true })).rejects.toThrow(/does not go with --retire/);
    expect((await op.keys.list()).find((k) => k.active)!.kid).toBe(active.kid);
  });

  it('a normal rotate after a drill makes the new key active at once', async () => {
    const { key } = await op.keys.rotate();
    expect(key.state).toBe('active');
    expect(kidOf((await signIn()).id_token!)).toBe(key.kid);
  });
});
