import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';

/**
 * The app under test: a minimal relying party. `/` starts a code flow (PKCE) against the OP,
 * `/cb` finishes it and shows who signed in. One login at a time is all a test needs.
 */
export async function startApp(issuer: string, clientId: string, secret: string): Promise<{ url: string; close(): Promise<void> }> {
  const config = await client.discovery(new URL(issuer), clientId, undefined, client.ClientSecretBasic(secret), {
    execute: [client.allowInsecureRequests], // the OP is plain http on localhost
  });
  const pending = new Map<string, string>(); // state → PKCE code verifier
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin());
    const fail = (err: unknown) => res.writeHead(500).end(String(err));
    if (url.pathname === '/') {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      pending.set(state, verifier);
      client.calculatePKCECodeChallenge(verifier).then((challenge) => {
        const to = client.buildAuthorizationUrl(config, {
          redirect_uri: `${origin()}/cb`, scope: 'openid profile', state, code_challenge: challenge, code_challenge_method: 'S256',
        });
        res.writeHead(302, { location: to.href }).end();
      }, fail);
    } else if (url.pathname === '/cb') {
      const state = url.searchParams.get('state') ?? '';
      client.authorizationCodeGrant(config, url, { pkceCodeVerifier: pending.get(state), expectedState: state })
        .then((tokens) => client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub))
        .then((user) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>Signed in as ${escape(String(user.name))}</h1>`), fail);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  function origin(): string {
    return `http://localhost:${(server.address() as AddressInfo).port}`;
  }
  return { url: origin(), close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
