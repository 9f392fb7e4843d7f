import http from 'node:http';

/** One keep-alive HTTP/1.1 client per loop, as an RP's HTTP client would be. */
export function client(port, host = '127.0.0.1') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  function request(method, path, { headers = {}, body } = {}) {
    return new Promise((resolve, reject) => {
      const req = http.request({ host, port, method, path, agent, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  return { request, close: () => agent.destroy() };
}

/** A minimal cookie jar: names and values only (every cookie goes back on every request). */
export class CookieJar {
  cookies = new Map();

  take(headers) {
    for (const line of headers['set-cookie'] ?? []) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export function basic(id, secret) {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/** Await `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** GET a URL until it answers 200 (or give up). */
export async function firstOk(port, path, timeoutMs = 10_000) {
  const c = client(port);
  const until = performance.now() + timeoutMs;
  try {
    for (;;) {
      try {
        const res = await c.request('GET', path);
        if (res.status === 200) return performance.now();
      } catch {
        // not listening yet
      }
      if (performance.now() > until) throw new Error(`no 200 from ${path}`);
      await sleep(1);
    }
  } finally {
    c.close();
  }
}
