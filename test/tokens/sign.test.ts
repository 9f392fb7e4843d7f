import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../src/keys/generate.js';
import { KeyRing } from '../../src/keys/keyring.js';
import { publicJwk } from '../../src/keys/public-jwk.js';
import type { SigningAlg } from '../../src/store/types.js';
import { EventEmitter } from 'node:events';
import { createSigner } from '../../src/tokens/sign.js';
import { verifyOwnJwt } from '../../src/tokens/verify.js';

// dev-op signs with node:crypto (inline for a lone request, on the thread pool under load) and
// verifies its own tokens with node:crypto too: jose, what RPs use, must agree with both.

const ALGS: SigningAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const claims = { iss: 'http://localhost:4000', sub: 'alice', aud: 'web', iat: 1_700_000_000, exp: 4_000_000_000, jti: 'j1', scope: 'openid' };

describe('signJwt', () => {
  const { noteConnection, signJwt } = createSigner();
  for (const alg of ALGS) {
    for (const mode of ['inline', 'thread pool'] as const) {
      it(`${alg} (${mode}): a compact JWS jose verifies, with alg, kid and typ in the header`, async () => {
        const key = await generateSigningKey(alg);
        const ring = new KeyRing([key]);
        const busy = mode === 'thread pool' ? [new EventEmitter(), new EventEmitter()] : [];
        for (const socket of busy) noteConnection(socket);
        try {
          const token = await signJwt(ring, claims, 'at+jwt');
          expect(decodeProtectedHeader(token)).toEqual({ alg, kid: key.kid, typ: 'at+jwt' });
          const { payload } = await jwtVerify(token, await importJWK(publicJwk(key.jwk), alg), { algorithms: [alg] });
          expect(payload).toEqual(claims);
          expect(await verifyOwnJwt(ring, token, { issuer: claims.iss, typ: 'at+jwt', now: claims.iat })).toEqual(claims);
        } finally {
          for (const socket of busy) socket.emit('close');
        }
      });
    }
  }

  it('verifyOwnJwt refuses a signature by another key of the same alg under our kid', async () => {
    const [ours, theirs] = await Promise.all([generateSigningKey('ES256'), generateSigningKey('ES256')]);
    const forged = await signJwt(new KeyRing([{ ...theirs, kid: ours.kid }]), claims);
    await expect(verifyOwnJwt(new KeyRing([ours]), forged, { issuer: claims.iss })).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('verifyOwnJwt refuses crit, another alg than the key\'s, and malformed segments', async () => {
    const key = await generateSigningKey('ES256');
    const ring = new KeyRing([key]);
    const token = await signJwt(ring, claims);
    const [, payload, signature] = token.split('.');
    const header = (h: object) => Buffer.from(JSON.stringify(h)).toString('base64url');
    for (const bad of [
      `${header({ alg: 'ES256', kid: key.kid, crit: ['exp'] })}.${payload}.${signature}`,
      `${header({ alg: 'ES384', kid: key.kid })}.${payload}.${signature}`,
      `${token}.x`,
      `${token.slice(0, -2)}*=`,
    ]) {
      await expect(verifyOwnJwt(ring, bad, { issuer: claims.iss })).rejects.toMatchObject({ reason: expect.stringMatching(/malformed|bad_signature/) });
    }
  });
});
