import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOp, type DevOp } from '../../src/index.js';
import { FormAgent } from '../helpers/browser-like.js';
import { tempDir } from '../helpers/cli.js';
import { confidentialClient } from '../helpers/op.js';
import { basic } from '../provider/support.js';

/**
 * `__proto__`, `constructor` and `prototype` as parameter names, JSON keys and values, in every
 * place the server parses input (forms, queries, the claims parameter, the admin endpoint's JSON,
 * ids used as store keys). The server runs in this process, so any pollution of the shared
 * prototypes would be visible right here.
 */

const POLLUTERS = ['__proto__', 'constructor', 'prototype', '__proto__[polluted]', 'constructor[prototype][polluted]', 'constructor.prototype.polluted'];
const POLLUTING_JSON = [
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"userinfo":{"__proto__":{"polluted":"yes"}},"id_token":{"constructor":{"prototype":{"polluted":"yes"}}}}',
  '{"userinfo":{"email":{"__proto__":{"essential":true,"polluted":"yes"}}}}',
];

/** Own property names of the shared prototypes: pollution adds to them. */
function prototypes(): Record<string, string[]> {
  return Object.fromEntries(
    ([['Object', Object.prototype], ['Array', Array.prototype], ['Function', Function.prototype], ['String', String.prototype]] as const)
      .map(([name, proto]) => [name, Object.getOwnPropertyNames(proto).sort()]),
  );
}

function expectUnpolluted(before: Record<string, string[]>): void {
  expect(prototypes()).toEqual(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  expect((Object.create(null) as Record<string, unknown>).polluted).toBeUndefined();
}

describe('prototype pollution', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: DevOp;
  let adminToken: string;
  const before = prototypes();
  const web = confidentialClient({ grant_types: ['authorization_code', 'refresh_token', 'client_credentials'], scope: 'api' });

  beforeAll(async () => {
    dir = await tempDir();
    const data = join(dir.path, 'db.json');
    server = await startDevOp({ port: 0, host: '127.0.0.1', data, log: 'none' });
    await server.store.addClient(web);
    adminToken = JSON.parse(await readFile(`${data}.owner.json`, 'utf8')).adminToken;
  });
  afterAll(async () => {
    await server.stop();
    await dir.cleanup();
  });

  const form = (pairs: [string, string][]) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const admin = (body: string) =>
    fetch(`${server.issuer}/_admin`, {
      method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body,
    });

  it('form and query parameters named __proto__ / constructor / prototype, at every form endpoint', async () => {
    let probes = 0;
    for (const name of POLLUTERS) {
      for (const value of ['{"polluted":"yes"}', 'polluted', '1']) {
        const pairs: [string, string][] = [[name, value], ['x', name]];
        for (const [path, extra] of [
          ['/token', [['grant_type', 'client_credentials']]],
          ['/token/introspection', [['token', name]]],
          ['/token/revocation', [['token', name]]],
          ['/device/auth', []],
          ['/me', [['access_token', name]]],
        ] as [string, [string, string][]][]) {
          const res = await fetch(`${server.issuer}${path}`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(web.client_id, web.client_secret!) },
            body: form([...extra, ...pairs]),
          });
          expect(res.status, `${path} ${name}`).toBeLessThan(500);
          probes++;
        }
        const query = form([['client_id', web.client_id], ['redirect_uri', web.redirect_uris[0]!], ['response_type', 'code'], ['scope', 'openid'], [name, value]]);
        for (const path of ['/auth', '/session/end', '/device', '/']) {
          expect((await fetch(`${server.issuer}${path}?${query}`, { redirect: 'manual' })).status, `${path} ${name}`).toBeLessThan(500);
          probes++;
        }
      }
      // Ids that end up as store keys: a code, a refresh token, a device code, a user code.
      for (const grant of [
        [['grant_type', 'authorization_code'], ['code', name], ['redirect_uri', web.redirect_uris[0]!]],
        [['grant_type', 'refresh_token'], ['refresh_token', name]],
      ] as [string, string][][]) {
        const res = await fetch(`${server.issuer}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(web.client_id, web.client_secret!) },
          body: form(grant),
        });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');
        probes++;
      }
      expect((await fetch(`${server.issuer}/device?user_code=${encodeURIComponent(name)}`)).status).toBe(400);
      expect((await fetch(`${server.issuer}/interaction/${encodeURIComponent(name)}`)).status).toBeLessThan(500);
      probes += 2;
    }
    expectUnpolluted(before);
    console.log(`prototype pollution: ${probes} form/query probes`);
  });

  it('the claims parameter with polluting keys is accepted or refused, never merged into a prototype', async () => {
    const agent = new FormAgent();
    for (const claims of POLLUTING_JSON) {
      const query = new URLSearchParams({
        client_id: web.client_id, redirect_uri: web.redirect_uris[0]!, response_type: 'code', scope: 'openid', claims, state: 's',
      });
      expect((await agent.fetch(`${server.issuer}/auth?${query}`)).status).toBeLessThan(500);
    }
    expectUnpolluted(before);
  });

  it('the admin endpoint: polluting op names, input objects, claims and client metadata', async () => {
    const bodies = [
      '{"op":"__proto__","input":{}}',
      '{"op":"constructor","input":{}}',
      '{"op":"toString","input":{}}',
      '{"__proto__":{"op":"user.list"}}',
      '{"op":"user.add","input":{"__proto__":{"username":"proto-user"}}}',
      '{"op":"user.add","input":{"username":"p1","claims":{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}}}',
      '{"op":"user.add","input":{"username":"p2","claims":["__proto__={\\"polluted\\":\\"yes\\"}","constructor={\\"prototype\\":{\\"polluted\\":\\"yes\\"}}"]}}',
      '{"op":"client.add","input":{"id":"p3","redirectUris":["http://localhost:3000/cb"],"__proto__":{"public":true},"constructor":{"prototype":{"polluted":"yes"}}}}',
      '{"op":"client.add","input":{"id":"p4","redirectUris":["http://localhost:3000/cb"],"grants":["__proto__"]}}',
      '{"op":"token.mint","input":{"sub":"x","claims":["__proto__={\\"polluted\\":\\"yes\\"}"]}}',
      '{"op":"token.mint","input":{"user":"p1","type":"id"}}',
      '{"op":"user.show","input":{"username":"__proto__"}}',
      '{"op":"client.remove","input":{"id":"constructor"}}',
    ];
    for (const body of bodies) {
      const res = await admin(body);
      expect(res.status, body).toBeLessThan(500);
    }
    expectUnpolluted(before);
    // What was stored is data, not a prototype: p3 is a confidential client as asked, not "public".
    const p3 = await server.store.getClient('p3');
    expect(p3?.token_endpoint_auth_method).toBe('client_secret_basic');
    expect(Object.getPrototypeOf(p3)).toBe(Object.prototype);
    const p1 = await server.store.getUser('p1');
    expect(p1).toBeDefined();
    expect((p1!.claims as Record<string, unknown>).polluted).toBeUndefined();
    // The server still serves every kind of request.
    const token = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(web.client_id, web.client_secret!) },
      body: 'grant_type=client_credentials',
    });
    expect(token.status).toBe(200);
  });
});
