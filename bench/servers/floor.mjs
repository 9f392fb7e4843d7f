/**
 * The floor: a minimal koa + jose server that answers every request by signing one RS256 JWT
 * (the same claims shape as a client_credentials access token) with BENCH_KEY_FILE's key. No
 * client authentication, no storage: the practical ceiling for a token endpoint on this machine.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importJWK, SignJWT } from 'jose';
import Koa from 'koa';

const jwk = JSON.parse(readFileSync(process.env.BENCH_KEY_FILE, 'utf8'));
const key = await importJWK(jwk, 'RS256');
const app = new Koa();
let issuer = 'http://localhost';
app.use(async (ctx) => {
  for await (const _ of ctx.req); // drain the body
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ iss: issuer, sub: 'cc', aud: 'cc', client_id: 'cc', iat: now, exp: now + 600, jti: randomBytes(16).toString('base64url'), scope: 'api' })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'at+jwt' })
    .sign(key);
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { access_token: token, token_type: 'Bearer', expires_in: 600, scope: 'api' };
});
const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  issuer = `http://localhost:${port}`;
  process.stdout.write(`${JSON.stringify({ event: 'ready', port, issuer })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
