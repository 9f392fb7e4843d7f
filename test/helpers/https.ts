import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** GET `url` over TLS trusting only `ca` (PEM): status, headers and body. */
export function httpsGet(url: string, ca: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

const RP_SCRIPT = fileURLToPath(new URL('./openid-client-cc.mjs', import.meta.url));

/** openid-client discovery + client_credentials in a child node process with `env` (e.g. NODE_EXTRA_CA_CERTS). */
export function clientCredentialsInChild(issuer: string, clientId: string, secret: string, env: Record<string, string>) {
  return execa(process.execPath, [RP_SCRIPT, issuer, clientId, secret], { reject: false, env, extendEnv: false });
}
