import { InvalidGrant, InvalidRequest } from '../../errors/oauth-errors.js';
import { checkCodeVerifier } from '../checks/pkce.js';
import { checkDpopJktAtRedemption } from '../dpop/code-binding.js';
import { parseScope } from '../checks/scope.js';
import { issueUserTokens, shouldIssueRefreshToken } from '../issue-tokens.js';
import { grantedTarget } from '../resources.js';
import type { GrantHandler } from './grant-handler.js';

/** RFC 6749 4.1.3 + RFC 7636 4.6: exchange a single-use code bound to client, redirect_uri and PKCE. */
export const authorizationCodeGrant: GrantHandler = {
  grantType: 'authorization_code',
  async handle(op, params, client, dpop) {
    if (!params.code) throw new InvalidRequest('missing required parameter: code');
    // Checked before consuming, so another client holding the code can neither burn it nor
    // revoke its grant by "replaying" it.
    const found = await op.store.get('AuthorizationCode', params.code);
    if (!found) throw new InvalidGrant('authorization code is invalid or expired');
    if (found.clientId !== client.client_id) throw new InvalidGrant('authorization code was issued to another client');
    // RFC 9449 10: nor can someone without the dpop_jkt key.
    checkDpopJktAtRedemption(found.dpopJkt, dpop);
    const consumed = await op.store.consume('AuthorizationCode', params.code);
    if (!consumed) throw new InvalidGrant('authorization code is invalid or expired');
    const code = consumed.record;
    if (!consumed.firstUse) {
      // RFC 6749 4.1.2: a replayed code revokes what it already produced.
      await op.store.revokeGrant(code.grantId);
      throw new InvalidGrant('authorization code has already been used; the tokens it produced are revoked');
    }
    if (params.redirect_uri !== code.redirectUri) {
      throw new InvalidGrant('redirect_uri does not match the one used in the authorization request');
    }
    checkCodeVerifier(code.codeChallenge, params.code_verifier);
    const grant = await op.store.get('Grant', code.grantId);
    if (!grant) throw new InvalidGrant('the grant behind this code has been revoked');
    const scopes = parseScope(code.scope);
    return issueUserTokens(op, {
      client, accountId: code.accountId, scopes, grantId: code.grantId, authTime: code.authTime,
      amr: code.amr, sid: code.sid, nonce: code.nonce, refresh: shouldIssueRefreshToken(client, scopes),
      claims: code.claims, acr: code.acr, target: await grantedTarget(op, code.resource, params.resource), dpopJkt: dpop?.jkt,
    });
  },
};
