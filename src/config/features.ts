import { ConfigError } from '../errors/app-errors.js';
import { didYouMean } from '../util/closest.js';

/**
 * Protocol features that can be switched off (node-oidc-provider's `features.*`). Each is on by
 * default where being on changes nothing for a client that does not use it; discovery advertises
 * a feature exactly when it is on. Per-client tightening lives in client metadata, not here.
 */
export interface Features {
  /** RFC 9126 pushed authorization requests; `required` makes every client push (require_pushed_authorization_requests). */
  par: { enabled: boolean; required: boolean };
  /** RFC 9101 / OIDC Core 6 `request` and `request_uri`; unsigned (alg none) objects only when `allowUnsigned`. */
  requestObjects: { enabled: boolean; allowUnsigned: boolean };
  /** RFC 9449 DPoP; `nonce` makes the server demand DPoP-Nonce (RFC 9449 8, 9). */
  dpop: { enabled: boolean; nonce: boolean };
  /** RFC 7591 / 7592 dynamic registration and management; `initialAccessToken` requires one to register. */
  registration: { enabled: boolean; initialAccessToken: boolean };
  /** RFC 8693 token exchange grant. */
  tokenExchange: { enabled: boolean };
  /** RFC 7523 2.1 JWT bearer grant. */
  jwtBearer: { enabled: boolean };
  /** OIDC Back-Channel Logout 1.0. */
  backchannelLogout: { enabled: boolean };
  /** OIDC Front-Channel Logout 1.0. */
  frontchannelLogout: { enabled: boolean };
  /** OIDC Core 8.1 pairwise subject identifiers. */
  pairwiseSubjects: { enabled: boolean };
  /** The flow inspector: requests recorded in memory, `dev-op logs`, lints. */
  inspector: { enabled: boolean };
  /** Off unless asked for (`--accept-any-client`): unknown clients are registered on the fly (provider/accept-any-client.ts). */
  acceptAnyClient: { enabled: boolean };
}

export type FeatureName = keyof Features;

export function defaultFeatures(): Features {
  return {
    par: { enabled: true, required: false },
    requestObjects: { enabled: true, allowUnsigned: false },
    dpop: { enabled: true, nonce: false },
    registration: { enabled: true, initialAccessToken: false },
    tokenExchange: { enabled: true },
    jwtBearer: { enabled: true },
    backchannelLogout: { enabled: true },
    frontchannelLogout: { enabled: true },
    pairwiseSubjects: { enabled: true },
    inspector: { enabled: true },
    acceptAnyClient: { enabled: false },
  };
}

/** The names `--disable` and the config file's `"disable": [...]` take: kebab-case of the keys. */
export const FEATURE_FLAG_NAMES: Readonly<Record<string, FeatureName>> = Object.freeze({
  par: 'par',
  'request-objects': 'requestObjects',
  dpop: 'dpop',
  registration: 'registration',
  'token-exchange': 'tokenExchange',
  'jwt-bearer': 'jwtBearer',
  'backchannel-logout': 'backchannelLogout',
  'frontchannel-logout': 'frontchannelLogout',
  pairwise: 'pairwiseSubjects',
  inspector: 'inspector',
});

/** The features with each named one switched off; an unknown name is a usage error naming the known ones. */
export function withDisabled(features: Features, names: readonly string[], flag = '--disable'): Features {
  const out = structuredClone(features);
  for (const name of names) {
    const key = FEATURE_FLAG_NAMES[name];
    if (!key) {
      const known = Object.keys(FEATURE_FLAG_NAMES);
      throw new ConfigError(`${flag}: unknown feature "${name}"${didYouMean(name, known)}; known: ${known.join(', ')}`);
    }
    out[key].enabled = false;
  }
  return out;
}
