// A relying party as a user writes it, run in its own node process: openid-client v6 discovery and
// client_credentials against ISSUER with no allowInsecureRequests. Trust comes from the environment
// (NODE_EXTRA_CA_CERTS), exactly as the README tells users. Prints one JSON line, or exits 1.
import * as oidc from 'openid-client';

const [issuer, clientId, secret] = process.argv.slice(2);
try {
  const config = await oidc.discovery(new URL(issuer), clientId, secret, oidc.ClientSecretBasic(secret));
  const tokens = await oidc.clientCredentialsGrant(config);
  process.stdout.write(`${JSON.stringify({ issuer: config.serverMetadata().issuer, token_type: tokens.token_type, access_token: tokens.access_token })}\n`);
} catch (err) {
  process.stderr.write(`${err.message}${err.cause ? `: ${err.cause.message ?? err.cause}` : ''}\n`);
  process.exit(1);
}
