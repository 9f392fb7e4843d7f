import type { Lane } from './model.js';

/** Where the OP's routes live: the issuer's base path and its route table (config ROUTES names). */
export interface RouteMap {
  basePath: string;
  routes: Readonly<Record<string, string>>;
}

/** Front-channel endpoints: a browser asks them. Everything else is the app's server talking to the OP. */
const BROWSER = new Set(['authorization', 'interaction', 'login', 'consent', 'device_verification', 'end_session', 'home', 'playground', 'assets']);

export interface Classifier {
  /** The endpoint a path names ('other' for none) and who asks it. */
  classify(path: string): { endpoint: string; lane: Lane };
}

/** Paths to endpoint names, from the same route table the OP serves (so a custom route is still named right). */
export function classifier({ basePath, routes }: RouteMap): Classifier {
  const exact = new Map<string, string>(Object.entries(routes).map(([name, path]) => [basePath + path, name]));
  exact.set(`${basePath}/.well-known/openid-configuration`, 'discovery');
  exact.set(`/.well-known/oauth-authorization-server${basePath}`, 'discovery');
  exact.set(`${basePath}/request`, 'par');
  exact.set(`${basePath}/reg`, 'registration');
  exact.set(`${basePath}/`, 'home');
  exact.set(`${basePath}/healthz`, 'healthz');
  if (basePath) exact.set(basePath, 'home');
  const interaction = new RegExp(`^${basePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/interaction/[^/]+(/login|/consent)?$`);
  return {
    classify(path) {
      let endpoint = exact.get(path);
      if (endpoint === undefined) {
        const m = interaction.exec(path);
        endpoint = m ? (m[1] ? m[1].slice(1) : 'interaction') : path.startsWith(`${basePath}/assets/`) ? 'assets'
          : path.startsWith(`${basePath}/playground/`) ? 'playground' : path.startsWith(`${basePath}${routes.end_session}/`) ? 'end_session' : 'other';
      }
      return { endpoint, lane: BROWSER.has(endpoint) ? 'browser' : 'app' };
    },
  };
}

/** The interaction uid in an interaction page's path (or a redirect to one). */
export function interactionUid(path: string): string | undefined {
  return /\/interaction\/([^/?#]+)/.exec(path)?.[1];
}
