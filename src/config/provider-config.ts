import { DEFAULTS, ROUTES, type Ttl } from './defaults.js';
import { defaultFeatures, type Features } from './features.js';

/** What the provider needs to know, resolved from flags, env and defaults before it is built. */
/** The request log on stderr: pretty lines (coloured on a terminal), JSON lines, or none. */
export type LogFormat = 'pretty' | 'json' | 'none';

export interface ProviderConfig {
  issuer: string;
  /**
   * The issuer URL's path without its trailing slash ('' for http://host:port): every route, page
   * link, cookie and redirect lives under it (OIDC Discovery 4, RFC 8414 3).
   */
  basePath: string;
  ttl: Ttl;
  routes: typeof ROUTES;
  /** Complete login and consent as this user with no page (CI). */
  autoLogin?: string;
  /** Directory whose templates override the built-in ones. */
  templatesDir?: string;
  /** One line per request on stderr: 'pretty' (colour on a TTY), 'json', or none. */
  log: LogFormat;
  /** Believe X-Forwarded-Host/-Proto/-For (koa's app.proxy): only behind a reverse proxy (--trust-proxy). */
  trustProxy?: boolean;
  /** The address given to --host; requests naming it in Host are accepted besides the issuer's host and loopback. */
  listenHost?: string;
  /** Protocol features and their switches (features.ts); discovery advertises exactly the enabled ones. */
  features: Features;
  /** Seconds a rotated refresh token may be presented again (--refresh-reuse-interval); 0 is off. */
  refreshReuseInterval: number;
  /**
   * Appended to the cookie names of a named issuer (`_session.tenant-a`): a browser sends the
   * default issuer's path-`/` cookies to `/tenant-a` too, which must neither be read there nor,
   * failing its signature check, be cleared there.
   */
  cookieSuffix?: string;
}

export function providerConfig(issuer: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  const trimmed = issuer.replace(/\/$/, '');
  return {
    issuer: trimmed,
    basePath: new URL(trimmed).pathname.replace(/\/$/, ''),
    ttl: { ...DEFAULTS.ttl },
    routes: ROUTES,
    log: 'none',
    features: defaultFeatures(),
    refreshReuseInterval: 0,
    ...overrides,
  };
}
