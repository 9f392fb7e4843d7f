import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

/**
 * The load generator: wrk when it is installed (C, light on the two cores the servers share with
 * it; the reference figures were taken with it: `apt-get install wrk`), else autocannon
 * (a devDependency, always there). BENCH_LOADER=autocannon forces the latter.
 */
function wrkAvailable() {
  if (process.env.BENCH_LOADER === 'autocannon') return false;
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    return err.status === 1; // wrk --version exits 1 after printing its version
  }
}
export const LOADER = wrkAvailable() ? 'wrk' : 'autocannon';

/**
 * Closed-loop load on loopback: `connections` keep-alive connections, each with one request in
 * flight, for `seconds`. `rate` (requests/s overall) always uses autocannon. Returns req/s and latency.
 */
export async function load({ port, path, method = 'GET', headers = {}, body, connections = 32, seconds = 4, amount, rate }) {
  if (LOADER === 'wrk' && !rate && !amount) return wrk({ port, path, method, headers, body, connections, seconds });
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    method,
    headers,
    body,
    connections,
    pipelining: 1,
    duration: seconds,
    ...(amount ? { amount } : {}),
    ...(rate ? { overallRate: rate } : {}),
    timeout: 10,
  });
  const ok = result.requests.total - result.non2xx - result.errors;
  return {
    rps: result.requests.total / (result.duration || seconds),
    okRps: ok / (result.duration || seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

function ms(text) {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

async function wrk({ port, path, method, headers, body, connections, seconds }) {
  const dir = mkdtempSync(join(tmpdir(), 'dev-op-wrk-'));
  const script = join(dir, 'request.lua');
  writeFileSync(script, [
    `wrk.method = ${JSON.stringify(method)}`,
    ...(body ? [`wrk.body = ${JSON.stringify(body)}`] : []),
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
  ].join('\n'));
  try {
    const out = await new Promise((resolve, reject) => execFile('wrk', [
      '-t2', `-c${connections}`, `-d${Math.max(1, Math.round(seconds))}s`, '--timeout', '10s', '--latency', '-s', script, `http://127.0.0.1:${port}${path}`,
    ], (err, stdout) => (err ? reject(err) : resolve(stdout))));
    const total = Number(/(\d+) requests in/.exec(out)?.[1]);
    const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
    const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    const errors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
    return {
      rps, okRps: rps * (total ? (total - non2xx) / total : 1),
      p50: ms(/\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? ''), p99: ms(/\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? ''),
      total, non2xx, errors,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
