import type { Client, GrantType } from '../../store/types.js';
import type { Params, Provider } from '../context.js';
import type { IssuedTokens } from '../issue-tokens.js';

/**
 * One grant type at the token endpoint. The token action has already authenticated the client
 * and checked it may use this grant; a handler only does what is unique to its grant.
 */
export interface GrantHandler {
  readonly grantType: GrantType;
  /** `dpop`: the request's verified DPoP proof (RFC 9449 5), whose key the tokens are bound to. */
  handle(op: Provider, params: Params, client: Client, dpop?: { jkt: string }): Promise<IssuedTokens>;
}

