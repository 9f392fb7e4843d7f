import * as oauth from 'oauth4webapi';
import { RpError } from './rp-error.js';
import { requestOptions, send, type Transport } from './transport.js';

/** An OP's metadata with what OpenID Connect Discovery 1.0 section 3 requires of it. */
export type AuthorizationServer = oauth.AuthorizationServer & Required<Pick<oauth.AuthorizationServer, (typeof REQUIRED)[number]>>;

const REQUIRED = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;

/**
 * The OP's metadata (OpenID Connect Discovery 1.0 section 4) from `base`. With `issuer`, the
 * document must name exactly that issuer (section 4.3); without, `base` is trusted to be the OP
 * (dev-op found it through the data file's owner) and its issuer is whatever the document says.
 */
export async function discover(base: string, options: { issuer?: string; transport?: Transport } = {}): Promise<AuthorizationServer> {
  const t = options.transport ?? {};
  if (!URL.canParse(base)) throw new RpError('not_an_op', `${base} is not a URL`);
  const url = new URL(base);
  const where = `${base.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await send('the discovery document at', where, () =>
    oauth.discoveryRequest(url, { algorithm: 'oidc', ...requestOptions(t) }));
  const doc = (await response.clone().json().catch(() => undefined)) as { issuer?: unknown } | undefined;
  if (!response.ok || typeof doc?.issuer !== 'string' || !URL.canParse(doc.issuer)) {
    await response.body?.cancel();
    throw new RpError('not_an_op', `${where} answered ${response.status} without an OpenID Provider's discovery document`);
  }
  const expected = options.issuer === undefined ? new URL(doc.issuer) : new URL(options.issuer);
  if (new URL(doc.issuer).href !== expected.href) {
    await response.body?.cancel();
    throw new RpError('issuer_mismatch', `the server at ${base} says its issuer is ${doc.issuer}, not ${options.issuer}`);
  }
  let as: oauth.AuthorizationServer;
  try {
    as = await oauth.processDiscoveryResponse(expected, response);
  } catch (err) {
    throw new RpError('not_an_op', `${where} is not a usable discovery document: ${(err as Error).message}`);
  }
  const missing = REQUIRED.filter((name) => typeof as[name] !== 'string');
  if (missing.length) throw new RpError('not_an_op', `${where} has no ${missing.join(', ')}`);
  return as as AuthorizationServer;
}
