import type { Client, GrantType } from '../../store/types.js';
import type { Params, Provider } from '../context.js';
import type { IssuedTokens } from '../issue-tokens.js';

/**
 * One grant type at the token endpoint. The token action has already authenticated the client
 * and checked it may use this grant; a handler only does what is unique to its grant.
 */
export interface GrantHandler {
  readonly grantType: GrantType;
  handle(op: Provider, params: Params, client: Client): Promise<IssuedTokens>;
}

