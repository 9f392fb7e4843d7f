import { createHash } from 'node:crypto';

const DIGEST_FOR_ALG: Record<string, string> = {
  RS256: 'sha256', PS256: 'sha256', ES256: 'sha256', HS256: 'sha256',
  RS384: 'sha384', PS384: 'sha384', ES384: 'sha384', HS384: 'sha384',
  RS512: 'sha512', PS512: 'sha512', ES512: 'sha512', HS512: 'sha512', EdDSA: 'sha512',
};

/** at_hash / c_hash / s_hash (OIDC Core 3.3.2.11): left half of the JWS alg's hash, base64url. */
export function leftHalfHash(value: string, alg: string): string {
  const digest = createHash(DIGEST_FOR_ALG[alg] ?? 'sha256').update(value).digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}
