import { createHash } from 'node:crypto';

/**
 * OIDC Core 8.1: a pairwise subject identifier, the same for one user at every client of one
 * sector and unrelated across sectors: base64url(SHA-256(sector + local sub + salt)), the
 * construction 8.1 suggests. The salt is the data's secret, so nobody can link subs across sectors.
 */
export function pairwiseSubject(sector: string, localSub: string, salt: string): string {
  return createHash('sha256').update(sector + localSub + salt).digest('base64url');
}
