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

/** A fetch (enough of it for FormAgent: no redirects followed) over node:https trusting only `ca`. */
export function httpsFetch(ca: string): typeof fetch {
  return ((input: string | URL | Request, init: RequestInit = {}) => new Promise<Response>((resolve, reject) => {
    const req = request(String(input), { ca, method: init.method ?? 'GET', headers: init.headers as Record<string, string> }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
        }
        const status = res.statusCode ?? 0;
        resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers }));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(typeof init.body === 'string' ? init.body : undefined);
  })) as typeof fetch;
}

const RP_SCRIPT = fileURLToPath(new URL('./openid-client-cc.mjs', import.meta.url));

/** openid-client discovery + client_credentials in a child node process with `env` (e.g. NODE_EXTRA_CA_CERTS). */
export function clientCredentialsInChild(issuer: string, clientId: string, secret: string, env: Record<string, string>) {
  return execa(process.execPath, [RP_SCRIPT, issuer, clientId, secret], { reject: false, env, extendEnv: false });
}
