/**
 * dev-op benchmarks against node-oidc-provider 9 and a floor server, on this machine, in one run.
 * `npm run bench` (builds first) or `node bench/run.mjs [--only a,b] [--runs N] [--seconds S] [--quick]`.
 * Cases: sign, coldstart, throughput (token, flows, discovery/JWKS, memory), scaling; datafile and inspector on demand.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string' },
    sizes: { type: 'string' },
    quick: { type: 'boolean' },
  },
});
const quick = values.quick ?? false;
const options = {
  runs: Number(values.runs ?? (quick ? 1 : 3)),
  seconds: Number(values.seconds ?? (quick ? 2 : 4)),
  connections: Number(values.connections ?? 32),
  sizes: (values.sizes ?? (quick ? '0,10000' : '0,10000,100000')).split(',').map(Number),
};
const only = values.only ? new Set(values.only.split(',')) : undefined;
const want = (name) => !only || only.has(name);

const dir = mkdtempSync(join(tmpdir(), 'dev-op-bench-key-'));
const keyFile = join(dir, 'rs256.json');
{
  // One RS256 key for node-oidc-provider and the floor server (dev-op makes or loads its own).
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  writeFileSync(keyFile, JSON.stringify({ ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' }), { mode: 0o600 });
}

const { version: peerVersion } = (await import('oidc-provider/package.json', { with: { type: 'json' } }).catch(() => ({ default: { version: '?' } }))).default;
console.log(`# dev-op benchmarks — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node-oidc-provider ${peerVersion}`);
const { LOADER } = await import('./lib/load.mjs');
console.log(`runs ${options.runs}, ${options.seconds} s per load run, ${options.connections} connections (${LOADER === 'wrk' ? 'wrk -t2' : 'autocannon'}, loopback); medians; ratio = dev-op ÷ peer`);

const started = performance.now();
const summary = {};
try {
  if (want('sign')) summary.sign = await (await import('./cases/sign.mjs')).run({ ...options, keyFile });
  if (want('coldstart')) summary.coldstart = await (await import('./cases/coldstart.mjs')).run({ ...options, keyFile });
  if (want('throughput')) summary.throughput = await (await import('./cases/throughput.mjs')).run({ ...options, keyFile });
  // On demand only (needs --expose-gc for its in-process part): --only tokencost.
  if (only?.has('tokencost')) summary.tokencost = await (await import('./cases/token-cost.mjs')).run({});
  // On demand only: the flow inspector on vs off (--only inspector).
  if (only?.has('inspector')) summary.inspector = await (await import('./cases/inspector.mjs')).run({ ...options, keyFile });
  if (want('scaling')) summary.scaling = await (await import('./cases/scaling.mjs')).run({ ...options, keyFile });
  // On demand only (about 2 minutes; the alternated data-file protocol): --only datafile.
  if (only?.has('datafile')) summary.datafile = await (await import('./cases/datafile.mjs')).run({ ...options, keyFile });
  // On demand only (needs redis-server): the Redis store against the file store, two replicas (issue 14).
  if (only?.has('redis')) summary.redis = await (await import('./cases/redis.mjs')).run(options);
  if (want('reset')) summary.reset = await (await import('./cases/reset.mjs')).run({ runs: 20 });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nfinished in ${((performance.now() - started) / 1000).toFixed(0)} s`);
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(summary, null, 2));
