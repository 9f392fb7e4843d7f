import { constants, sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import type { JWTPayload } from 'jose';
import type { KeyRing } from '../keys/keyring.js';
import type { SigningAlg, StoredKey } from '../store/types.js';

/** RFC 7518 3: the node:crypto signature for each JWS algorithm dev-op's keys use. */
function signingInput(alg: SigningAlg, key: KeyObject): [digest: string | null, key: KeyObject | SignKeyObjectInput] {
  switch (alg) {
    case 'RS256':
      return ['sha256', key];
    case 'PS256':
      return ['sha256', { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }];
    case 'ES256':
      return ['sha256', { key, dsaEncoding: 'ieee-p1363' }];
    case 'EdDSA':
      return [null, key];
  }
}

const base64urlJson = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs JWTs for one instance, knowing how many client connections that instance is serving. */
export interface Signer {
  /** Count `socket` as a client connection until it closes (the HTTP layer reports each). */
  noteConnection(socket: { once(event: 'close', listener: () => void): unknown }): void;
  /**
   * Sign claims as a compact JWS (RFC 7515) with one of the ring's keys (default: the active one).
   * `typ` distinguishes at+jwt.
   */
  signJwt(keys: KeyRing, claims: JWTPayload, typ?: string, key?: StoredKey): Promise<string>;
}

/**
 * A signer for one instance. With one client connection, nothing runs beside its requests: a JWT
 * is signed inline, since an RS256 signature is ~0.3 ms of CPU and the thread-pool round trip adds
 * more latency than that. With several (concurrent clients, load), signatures go to the thread
 * pool so that both cores sign at once. Requests in flight would not do as the signal: node runs
 * a request whose body has arrived to completion before reading the next socket, so with inline
 * signing there is never more than one. node:crypto rather than jose, whose WebCrypto signing
 * always goes through the thread pool; jose verifies what this produces (test/tokens).
 */
export function createSigner(): Signer {
  let connections = 0;
  const counted = new WeakSet<object>();
  return {
    noteConnection(socket) {
      if (counted.has(socket)) return;
      counted.add(socket);
      connections++;
      socket.once('close', () => {
        connections--;
      });
    },
    async signJwt(keys, claims, typ, key = keys.active) {
      const input = `${base64urlJson({ alg: key.alg, kid: key.kid, ...(typ ? { typ } : {}) })}.${base64urlJson(claims)}`;
      const [digest, signingKey] = signingInput(key.alg, keys.privateKeyObject(key));
      const data = Buffer.from(input);
      const signature = connections <= 1
        ? sign(digest, data, signingKey)
        : await new Promise<Buffer>((resolve, reject) => sign(digest, data, signingKey, (err, sig) => (err ? reject(err) : resolve(sig))));
      return `${input}.${signature.toString('base64url')}`;
    },
  };
}
