/**
 * In-process start, in an already-running process: import the server library once, then start a
 * server on port 0 (memory store), wait for the first 200 from discovery (and JWKS), close; repeat.
 * argv[2]: 'devop' | 'peer'; argv[3]: iterations. Prints one JSON line with the timings.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';

const which = process.argv[2];
const iterations = Number(process.argv[3] ?? 10);

function get(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}

const importStarted = performance.now();
let start;
if (which === 'devop') {
  const { startDevOp } = await import('../../dist/index.js');
  start = async () => {
    const server = await startDevOp({ port: 0, memory: true, log: 'none' });
    return { port: server.port, close: () => server.stop() };
  };
} else {
  const { default: Provider } = await import('oidc-provider');
  const key = JSON.parse(readFileSync(process.env.BENCH_KEY_FILE, 'utf8'));
  start = async () => {
    const server = http.createServer();
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address();
    const provider = new Provider(`http://localhost:${port}`, { jwks: { keys: [key] }, cookies: { keys: ['k'] }, clients: [] });
    server.on('request', provider.callback());
    return { port, close: () => new Promise((r) => { server.close(r); server.closeAllConnections(); }) };
  };
}
const importMs = performance.now() - importStarted;

const runs = [];
for (let i = 0; i < iterations; i++) {
  const t0 = performance.now();
  const s = await start();
  const listening = performance.now();
  const status = await get(s.port, '/.well-known/openid-configuration');
  const discovery = performance.now();
  const jwksStatus = await get(s.port, '/jwks');
  const jwks = performance.now();
  if (status !== 200 || jwksStatus !== 200) throw new Error(`unexpected status ${status}/${jwksStatus}`);
  runs.push({ startMs: listening - t0, discoveryMs: discovery - t0, jwksMs: jwks - t0 });
  await s.close();
}
process.stdout.write(`${JSON.stringify({ importMs, runs })}\n`);
process.exit(0);
