/**
 * The client the relying party acts as, in RFC 7591 names (a stored dev-op client fits). Kept
 * free of oauth4webapi so that eligibility checks load nothing.
 */
export interface RpClient {
  client_id: string;
  client_secret?: string;
  token_endpoint_auth_method: string;
  /** OIDC Registration: the alg the OP signs this client's ID tokens with; HS* use client_secret. */
  id_token_signed_response_alg?: string;
}

/** Token endpoint authentication the RP can perform itself: it holds secrets, not private keys. */
export const RP_AUTH_METHODS: readonly string[] = ['none', 'client_secret_basic', 'client_secret_post'];

/** Why the RP cannot authenticate as `client` at the token endpoint, or undefined if it can. */
export function authProblem(client: RpClient): string | undefined {
  const method = client.token_endpoint_auth_method;
  if (!RP_AUTH_METHODS.includes(method)) return `${method} not supported here`;
  if (method !== 'none' && !client.client_secret) return 'no client_secret to authenticate with';
  return undefined;
}
