import { createHash } from 'node:crypto';

/** base64url(SHA-256(text)) without padding: PKCE S256, DPoP `ath`, pairwise subjects, stored token hashes. */
export function sha256Base64url(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
