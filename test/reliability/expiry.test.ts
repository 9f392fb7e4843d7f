import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOp, type DevOp } from '../../src/index.js';
import type { Client } from '../../src/store/types.js';
import { FormAgent } from '../helpers/browser-like.js';
import { confidentialClient } from '../helpers/op.js';
import { TestClock } from '../helpers/test-clock.js';
import { authRequest, authorize, basic, relyingParty } from '../provider/support.js';
import { readDataFile } from './support.js';

/**
 * A long CI job issues tokens for hours: expired state (codes, interactions, device codes, tokens,
 * sessions, grants) must be collected so that the data file shrinks back instead of growing
 * without bound. Time is a TestClock, so "hours later" takes no time.
 */

const TOKENS = 300;
const FLOWS = 10;
const DEVICES = 30;
const INTERACTIONS = 30;
const DAY = 24 * 3600 * 1000;

const svc: Client = confidentialClient({
  client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
  ttl: { ClientCredentials: 60 },
});
const web: Client = confidentialClient({
  skip_consent: true, ttl: { AccessToken: 60, AuthorizationCode: 30, RefreshToken: 120, IdToken: 60 },
});
const tv: Client = confidentialClient({
  client_id: 'tv', client_secret: 'tv-secret', grant_types: ['urn:ietf:params:oauth:grant-type:device_code'], response_types: [],
  redirect_uris: [], ttl: { DeviceCode: 60 },
});

describe('expired state is collected', () => {
  let dir: string;
  let file: string;
  let clock: TestClock;
  let server: DevOp;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dev-op-expiry-'));
    file = join(dir, 'db.json');
    // Real time, so that the RP library's checks of iat/exp agree with the tokens.
    clock = new TestClock(Date.now());
    server = await startDevOp({ port: 0, host: '127.0.0.1', data: file, clock, log: 'none' });
    for (const c of [svc, web, tv]) await server.store.addClient(c);
  });
  afterAll(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const post = (path: string, form: Record<string, string>, client: Client) =>
    fetch(`${server.issuer}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.client_id, client.client_secret!) },
      body: new URLSearchParams(form).toString(),
    });

  it('the file grows with short-lived state, then shrinks back once it has expired and been collected', async () => {
    await server.store.flush();
    const baseline = (await stat(file)).size;

    for (let i = 0; i < TOKENS; i++) expect((await post('/token', { grant_type: 'client_credentials' }, svc)).status).toBe(200);
    for (let i = 0; i < DEVICES; i++) expect((await post('/device/auth', { scope: 'openid' }, tv)).status).toBe(200);
    const config = await relyingParty(server, web);
    for (let i = 0; i < INTERACTIONS; i++) {
      // A login page that is never answered leaves an interaction behind.
      const req = await authRequest(config, web.redirect_uris[0]!);
      expect((await new FormAgent().fetch(req.url.href)).status).toBe(302);
    }
    for (let i = 0; i < FLOWS; i++) {
      const agent = new FormAgent();
      const req = await authRequest(config, web.redirect_uris[0]!, { scope: 'openid offline_access', prompt: 'consent' });
      const callback = await authorize(agent, req.url);
      const code = callback.searchParams.get('code')!;
      const res = await post('/token', {
        grant_type: 'authorization_code', code, redirect_uri: web.redirect_uris[0]!, code_verifier: req.verifier,
      }, web);
      expect(res.status).toBe(200);
    }
    await server.store.flush();
    const grown = await readDataFile(file);
    const kinds = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'Session', 'Grant', 'Interaction', 'DeviceCode', 'UserCode'];
    for (const kind of kinds) expect(Object.keys(grown.state[kind] ?? {}).length, kind).toBeGreaterThan(0);
    const grownSize = (await stat(file)).size;
    expect(grownSize).toBeGreaterThan(baseline + 50_000);

    // Past every lifetime: sessions and grants are the longest (14 days).
    clock.advance(15 * DAY);
    // Expired state is invisible at once; it leaves the file with the next write.
    expect((await post('/token', { grant_type: 'client_credentials' }, svc)).status).toBe(200);
    await server.store.flush();
    const collected = await readDataFile(file);
    for (const kind of kinds.filter((k) => k !== 'AccessToken')) expect(Object.keys(collected.state[kind] ?? {}), kind).toEqual([]);
    expect(Object.keys(collected.state.AccessToken ?? {})).toHaveLength(1); // the token just issued
    const shrunk = (await stat(file)).size;
    expect(shrunk).toBeLessThan(baseline + 2_000);
    console.log(`expiry: ${TOKENS} tokens, ${FLOWS} code flows, ${DEVICES} device codes, ${INTERACTIONS} interactions: ` +
      `file ${baseline} → ${grownSize} → ${shrunk} bytes after expiry and collection`);
  });
});
