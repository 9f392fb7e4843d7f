import * as oauth from 'oauth4webapi';
import type { AuthorizationServer } from './discover.js';
import { RpError } from './rp-error.js';

/** What the browser brought back: the parameters to redeem the code with, or the OP's error. */
export type AuthorizationOutcome =
  | { code: URLSearchParams }
  | { error: string; description: string | undefined };

/**
 * The authorization response (RFC 6749 4.1.2, 4.1.2.1) checked by oauth4webapi: `iss` is this
 * issuer (RFC 9207; required when the OP says it sends one), `state` is the one sent. A response
 * failing either throws; an error the OP sent is an outcome for the caller to show.
 */
export function readAuthorizationResponse(as: AuthorizationServer, clientId: string, params: URLSearchParams, state: string): AuthorizationOutcome {
  let checked: URLSearchParams;
  try {
    checked = oauth.validateAuthResponse(as, { client_id: clientId }, params, state);
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError) return { error: err.error, description: err.error_description };
    throw explain(err as Error, as, params);
  }
  if (!checked.get('code')) throw new RpError('invalid_response', 'the browser came back with neither an authorization code nor an error');
  return { code: checked };
}

/** oauth4webapi's reason as a sentence for the user; its message names the parameter at fault. */
function explain(err: Error, as: AuthorizationServer, params: URLSearchParams): RpError {
  const parameter = /"(iss|state)"/.exec(err.message)?.[1];
  if (parameter === 'iss') {
    return new RpError('mix_up', `the authorization response names issuer ${params.get('iss') ?? '(none)'}, not ${as.issuer} (RFC 9207 mix-up protection)`);
  }
  if (parameter === 'state') {
    return new RpError('state_mismatch', 'the browser came back with another state than this login sent (an old tab, or a forged request)');
  }
  return new RpError('invalid_response', `the authorization response was refused: ${err.message}`);
}
