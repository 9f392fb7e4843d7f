import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

/**
 * A client's jwks_uri key set is fetched and cached per dev-op instance: what one instance cached
 * (and its refetch cooldown) never decides what another in the same process accepts.
 */
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('private_key_jwt key sets from jwks_uri, per instance', () => {
  let jwksServer: Server;
  let served: { keys: JWK[] } = { keys: [] };
  let jwksUri: string;
  let a: RunningServer;
  let b: RunningServer;

  beforeAll(async () => {
    jwksServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(served));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;
    [a, b] = await Promise.all([startTestOp(), startTestOp()]);
    const client = confidentialClient({
      client_id: 'pk', client_secret: undefined, token_endpoint_auth_method: 'private_key_jwt', jwks_uri: jwksUri,
      grant_types: ['client_credentials'], redirect_uris: [], response_types: [],
    });
    await Promise.all([a.store.addClient(client), b.store.addClient(client)]);
  });
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop(), new Promise((resolve) => jwksServer.close(resolve))]);
  });

  async function keyPair(kid: string) {
    const pair = await generateKeyPair('ES256', { extractable: true });
    return { privateKey: pair.privateKey, jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'ES256', use: 'sig' } };
  }

  async function authenticate(server: RunningServer, privateKey: CryptoKey, kid: string): Promise<number> {
    const assertion = await new SignJWT({ jti: crypto.randomUUID() }).setProtectedHeader({ alg: 'ES256', kid })
      .setIssuer('pk').setSubject('pk').setAudience(server.issuer).setIssuedAt().setExpirationTime('1m').sign(privateKey);
    const res = await fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion }),
    });
    return res.status;
  }

  it("a key rotated at the jwks_uri is fetched by an instance that has not cached the old set", async () => {
    const first = await keyPair('k1');
    served = { keys: [first.jwk] };
    expect(await authenticate(a, first.privateKey as CryptoKey, 'k1')).toBe(200);
    // The client rotates its key; `a` has just fetched (and will not refetch within its cooldown).
    const second = await keyPair('k2');
    served = { keys: [second.jwk] };
    expect(await authenticate(b, second.privateKey as CryptoKey, 'k2')).toBe(200);
  });
});
