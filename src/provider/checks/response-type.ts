import { InvalidRequest, UnauthorizedClient, UnsupportedResponseType } from '../../errors/oauth-errors.js';
import type { Client } from '../../store/types.js';
import { RESPONSE_MODES, RESPONSE_TYPES, type ResponseMode } from '../../protocol/capabilities.js';

/** Response types compare as sets: "token id_token" is "id_token token". */
function normaliseResponseType(value: string): string {
  return value.split(' ').filter(Boolean).sort().join(' ');
}

const SUPPORTED = new Map(RESPONSE_TYPES.map((t) => [normaliseResponseType(t), t]));

/** The response type in its canonical spelling, if it is one dev-op supports and the client registered. */
export function checkResponseType(client: Client, requested: string | undefined): string {
  if (!requested) throw new InvalidRequest('missing required parameter: response_type');
  const canonical = SUPPORTED.get(normaliseResponseType(requested));
  if (!canonical) throw new UnsupportedResponseType(`response_type ${requested} is not supported`);
  const registered = client.response_types.map(normaliseResponseType);
  if (!registered.includes(normaliseResponseType(canonical))) {
    throw new UnauthorizedClient(
      `client ${client.client_id} is not registered for response_type ${canonical} (registered: ${client.response_types.join(', ')})`,
    );
  }
  return canonical;
}

/**
 * The response mode to answer with: the requested one if allowed, else the response type's
 * default: fragment when it names token or id_token, query otherwise, also for a response type
 * that is unknown, so that its error reaches a code-flow client (OAuth 2.0 Multiple Response
 * Type Encoding Practices 5; RFC 6749 4.1.2.1). Tokens never travel in a query string (ibid. 3.0).
 */
export function responseModeFor(responseType: string | undefined, requested: string | undefined): { mode: ResponseMode; error?: string } {
  const words = responseType?.split(' ') ?? [];
  const fallback: ResponseMode = words.includes('token') || words.includes('id_token') ? 'fragment' : 'query';
  if (requested === undefined) return { mode: fallback };
  if (!(RESPONSE_MODES as readonly string[]).includes(requested)) {
    return { mode: fallback, error: `response_mode ${requested} is not supported` };
  }
  if (requested === 'query' && fallback === 'fragment') {
    return { mode: fallback, error: `response_mode query is not allowed for response_type ${responseType}: tokens must not travel in a query string` };
  }
  return { mode: requested as ResponseMode };
}
