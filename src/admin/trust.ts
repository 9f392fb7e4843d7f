import { AlreadyExistsError, NotFoundError, UsageError } from '../errors/app-errors.js';
import type { Store, TrustedIssuer } from '../store/types.js';
import * as check from './validate.js';

/**
 * `dev-op trust add --issuer URL --jwks FILE|URL`: an issuer whose signed JWTs the JWT bearer grant
 * (RFC 7523 2.1) and token exchange (RFC 8693) accept. The CLI reads a --jwks file and sends its
 * keys (`jwks`); a URL is kept (`jwksUri`) and fetched by the server when a JWT needs it.
 */
export interface TrustAddInput {
  issuer?: string;
  jwks?: unknown;
  jwksUri?: string;
}

/** A trusted issuer from `trust add` input (or a fixture entry), validated. */
export function buildTrustedIssuer(raw: unknown): TrustedIssuer {
  const input = check.inputObject(raw) as TrustAddInput;
  // Kept exactly as given: a JWT's iss is compared as a string (RFC 7519 4.1.1), trailing slash and all.
  const issuer = check.httpsOrLocalUrl(input.issuer, '--issuer');
  if (new URL(issuer).hash) throw new UsageError(`--issuer ${issuer} must not have a fragment`);
  if ((input.jwks === undefined) === (input.jwksUri === undefined)) {
    throw new UsageError('give the issuer\'s public keys with --jwks FILE (a JWK Set) or --jwks URL (where it publishes them)');
  }
  if (input.jwksUri !== undefined) return { issuer, jwks_uri: check.httpsOrLocalUrl(input.jwksUri, '--jwks') };
  return { issuer, jwks: check.publicJwks(input.jwks) };
}

/** Trust one more issuer; the same input again changes nothing (a set-up script run twice). */
export async function addTrustedIssuer(store: Store, input: unknown): Promise<TrustedIssuer & { unchanged?: boolean }> {
  const trusted = buildTrustedIssuer(input);
  try {
    await store.addTrustedIssuer(trusted);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
    const existing = await store.getTrustedIssuer(trusted.issuer);
    if (existing && JSON.stringify(existing) === JSON.stringify(trusted)) return { ...existing, unchanged: true };
    throw new AlreadyExistsError(`issuer ${trusted.issuer} is trusted already with other keys; remove it first: dev-op trust remove ${trusted.issuer}`);
  }
  return trusted;
}

export async function listTrustedIssuers(store: Store): Promise<TrustedIssuer[]> {
  return store.listTrustedIssuers();
}

export async function removeTrustedIssuer(store: Store, issuer: unknown): Promise<{ removed: string }> {
  const name = check.requiredString(issuer, 'URL');
  if (!(await store.removeTrustedIssuer(name))) throw new NotFoundError(`issuer ${name} is not trusted (see dev-op trust list)`);
  return { removed: name };
}
