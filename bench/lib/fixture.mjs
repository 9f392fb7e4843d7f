/**
 * What every server under test is configured with, so that the requests are the same:
 * - `cc`: a confidential client for client_credentials (client_secret_basic), scope `api`;
 * - `web`: a confidential client for the authorization code flow + PKCE S256 (client_secret_basic),
 *   opaque access token + RS256 ID token;
 * - user `alice`, who is logged in and consents with no page.
 */
export const CC = { id: 'cc', secret: 'cc-secret-for-bench', scope: 'api' };
export const WEB = { id: 'web', secret: 'web-secret-for-bench', redirectUri: 'http://127.0.0.1:9/cb', scope: 'openid profile email' };
/**
 * The same client with dev-op's default RFC 9068 JWT access token (dev-op only): `web` gets an
 * opaque access token, as node-oidc-provider gives its code-flow client, so that the flows compare
 * like for like; this one shows what dev-op's default costs.
 */
export const WEB_JWT = { ...WEB, id: 'web-jwt' };
export const USER = {
  sub: 'alice',
  claims: { name: 'Alice Example', given_name: 'Alice', family_name: 'Example', preferred_username: 'alice', email: 'alice@example.com', email_verified: true },
};
/** The resource (audience) node-oidc-provider's client_credentials JWT access tokens are for. */
export const API_RESOURCE = 'urn:bench:api';
