import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { basic, sleep } from '../lib/http.mjs';
import { load } from '../lib/load.mjs';
import { CC } from '../lib/fixture.mjs';
import { spawnServer, SERVERS } from '../lib/proc.mjs';
import { fmt, fmtRatio, mb, median, ratio, verdict } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

/** The protocol: three alternated 5 s runs per server; these do not follow --runs/--seconds. */
const ROUNDS = 3;
const SECONDS = 5;
/** The same request as the throughput case. */
const TOKEN = {
  path: '/token',
  method: 'POST',
  headers: { authorization: basic(CC.id, CC.secret), 'content-type': 'application/x-www-form-urlencoded' },
  body: `grant_type=client_credentials&scope=${CC.scope}`,
};

/** One timed load with the server's CPU time per request and, for a data file, what the store wrote. */
async function measure(server, connections, path) {
  const before = { cpu: server.cpuMs(), writes: path ? await writeStats(server) : undefined };
  const r = await load({ port: server.port, ...TOKEN, connections, seconds: SECONDS });
  if (r.non2xx || r.errors) throw new Error(`token endpoint: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const cpuUs = ((server.cpuMs() - before.cpu) / r.total) * 1000;
  if (!path) return { ...r, cpuUs };
  const after = await writeStats(server);
  // The file as the coalesced writes left it at the end of the run (no flush: that would change the run).
  return { ...r, cpuUs, writes: after.writes - before.writes.writes, serialiseMs: after.serialiseMs - before.writes.serialiseMs, bytes: statSync(path).size };
}

async function writeStats(server) {
  const m = await server.ask({ cmd: 'stats' });
  return m.writeStats ?? { writes: m.writes, serialiseMs: NaN };
}

async function startDevOp(options, keyFile) {
  return spawnServer(process.execPath, [`${SERVERS}devop.mjs`, JSON.stringify(options)], { env: { BENCH_KEY_FILE: keyFile }, ipc: true });
}

/**
 * client_credentials throughput with a data file (issue 11): dev-op on a fresh data file and
 * node-oidc-provider, warmed, then three alternated 5 s runs (dev-op, peer, dev-op, peer, …): the
 * median ratio and dev-op's drift from its first to its third run as the file grows. Then the
 * settings that could explain a different ratio: dev-op --memory alternated with the peer in the
 * same way, and dev-op on a fresh data file with no peer process at all (back-to-back runs).
 */
export async function run({ keyFile, connections }) {
  const dir = mkdtempSync(join(tmpdir(), 'dev-op-bench-datafile-'));
  const servers = [];
  const spawned = (s) => (servers.push(s), s);
  const settings = {};
  const perRun = [];
  // Other processes on the machine move every figure here; the 1-minute load average shows how busy it was.
  const loadBefore = loadavg()[0];
  try {
    const peer = spawned(await spawnServer(process.execPath, [`${SERVERS}peer.mjs`], { env: { BENCH_KEY_FILE: keyFile } }));
    const file = join(dir, 'alternated.json');
    const devFile = spawned(await startDevOp({ data: file }, keyFile));
    const devMem = spawned(await startDevOp({ memory: true }, keyFile));
    await sleep(500);
    // A full unmeasured run each: after 1 s, a first measured run was still 20–30 % slower (JIT, busy machine).
    for (const s of [devFile, peer, devMem]) await load({ port: s.port, ...TOKEN, connections, seconds: SECONDS });
    const warmSize = statSync(file).size;

    // 1. and 2.: dev-op (data file, then --memory) alternated with the peer, each beside the other idle.
    for (const [label, dev, path] of [['data file', devFile, file], ['--memory', devMem, undefined]]) {
      const runs = { dev: [], peer: [] };
      for (let i = 0; i < ROUNDS; i++) {
        const d = await measure(dev, connections, path);
        runs.dev.push(d);
        perRun.push([`dev-op, ${label}`, i + 1, d]);
        const p = await measure(peer, connections);
        runs.peer.push(p);
        perRun.push([`node-oidc-provider (${label} round)`, i + 1, p]);
      }
      settings[`${label}, alternated with the peer`] = runs;
    }
    // 3.: a fresh data file with the peer stopped, three back-to-back runs.
    for (const s of [peer, devFile, devMem]) await s.stop();
    const soloFile = join(dir, 'solo.json');
    const solo = spawned(await startDevOp({ data: soloFile }, keyFile));
    await sleep(500);
    await load({ port: solo.port, ...TOKEN, connections, seconds: SECONDS });
    const runs = { dev: [], peer: [] };
    for (let i = 0; i < ROUNDS; i++) {
      const d = await measure(solo, connections, soloFile);
      runs.dev.push(d);
      perRun.push(['dev-op, data file, no peer', i + 1, d]);
    }
    settings['data file, no peer process'] = runs;

    table(`client_credentials per run (${connections} connections, ${SECONDS} s each, in the order run)`,
      ['server, setting', 'run', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'file MB after', 'file writes', 'serialise ms', 'ms per write'],
      perRun.map(([label, i, r]) => [
        label, i, fmt(r.rps), fmt(r.p50, 1), fmt(r.p99, 1), fmt(r.cpuUs, 0),
        r.bytes === undefined ? '–' : fmt(mb(r.bytes), 1), r.writes === undefined ? '–' : fmt(r.writes), r.serialiseMs === undefined ? '–' : fmt(r.serialiseMs, 0),
        r.writes ? fmt(r.serialiseMs / r.writes, 1) : '–',
      ]), [
        `data file after the warm-up (5 s per server): ${fmt(mb(warmSize), 1)} MB. serialise ms: time the file store spent serialising the file on dev-op's event loop during the run;`,
        'ms per write: the mean of one such block, during which every request in flight waits (it shows in p99).',
      ]);

    const out = {};
    const rows = Object.entries(settings).map(([label, { dev, peer: p }]) => {
      const rps = dev.map((r) => r.rps);
      const drift = ratio(rps[ROUNDS - 1], rps[0]) - 1;
      const vsPeer = p.length ? median(dev.map((r, i) => ratio(r.rps, p[i].rps))) : NaN;
      out[label] = { rps, drift, vsPeer };
      return [
        `dev-op, ${label}`, rps.map((v) => fmt(v)).join(' → '), dev.map((r) => fmt(r.p99, 0)).join(' → '),
        fmt(median(rps)), p.length ? fmt(median(p.map((r) => r.rps))) : '–', p.length ? fmtRatio(vsPeer) : '–',
        `${drift >= 0 ? '+' : ''}${(drift * 100).toFixed(1)}%`,
      ];
    });
    const main = out['data file, alternated with the peer'];
    table(`client_credentials with a data file vs node-oidc-provider (${ROUNDS} alternated ${SECONDS} s runs, ${connections} connections)`,
      ['setting', 'dev-op req/s, runs 1 → 3', 'dev-op p99 ms, runs 1 → 3', 'dev-op median', 'peer median', 'median of the per-round ratios', 'run 3 vs run 1'], rows, [
        `targets (data file): ≥ 1.5× peer → ${fmtRatio(main.vsPeer)} ${verdict(main.vsPeer, 1.5, true)}; run 3 within 10 % of run 1 → ${(main.drift * 100).toFixed(1)}% ${verdict(Math.abs(main.drift), 0.1, false)}`,
        'Each round: dev-op 5 s, then the peer 5 s; the server not measured stays running and idle.',
        `machine 1-minute load average: ${loadBefore.toFixed(2)} before the case, ${loadavg()[0].toFixed(2)} after (the servers and wrk included).`,
        'reproduce: node bench/run.mjs --only datafile',
      ]);
    return out;
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
