import { spawnServer, SERVERS } from '../lib/proc.mjs';
import { basic, sleep } from '../lib/http.mjs';
import { load } from '../lib/load.mjs';
import { CC, WEB_JWT } from '../lib/fixture.mjs';
import { fmt, fmtRatio, mb, median, ratio, verdict } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';
import { flowsPerSecond } from './flow.mjs';

const TOKEN = {
  path: '/token',
  method: 'POST',
  headers: { authorization: basic(CC.id, CC.secret), 'content-type': 'application/x-www-form-urlencoded' },
  body: `grant_type=client_credentials&scope=${CC.scope}`,
};

/**
 * 2–4 and 6: client_credentials throughput, code + PKCE flows, discovery and JWKS, RSS. The three
 * servers run side by side (idle when not measured); runs are interleaved so drift hits all alike.
 */
export async function run({ runs, seconds, keyFile, connections }) {
  const env = { BENCH_KEY_FILE: keyFile };
  const servers = {
    'dev-op': await spawnServer(process.execPath, [`${SERVERS}devop.mjs`, JSON.stringify({ memory: true, autoLogin: 'alice' })], { env }),
    peer: await spawnServer(process.execPath, [`${SERVERS}peer.mjs`], { env }),
    floor: await spawnServer(process.execPath, [`${SERVERS}floor.mjs`], { env }),
  };
  try {
    await sleep(500);
    const rssIdle = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, s.rss()]));
    const results = {};
    const record = (key, name, value) => ((results[key] ??= {})[name] ??= []).push(value);

    // Warm up every server on every path measured (JIT, key import, caches).
    for (const [name, s] of Object.entries(servers)) {
      await load({ port: s.port, ...TOKEN, connections, seconds: 1 });
      if (name === 'floor') continue;
      await load({ port: s.port, path: '/.well-known/openid-configuration', connections, seconds: 0.5 });
      await load({ port: s.port, path: '/jwks', connections, seconds: 0.5 });
      await flowsPerSecond(s.port, 8, 0.5);
    }
    // Server CPU time (/proc) per request or flow: what each costs the server, whatever else the machine runs.
    const withCpu = async (s, measure, count) => {
      const before = s.cpuMs();
      const started = performance.now();
      const result = await measure();
      const n = count(result, (performance.now() - started) / 1000);
      return { result, cpuMs: (s.cpuMs() - before) / n };
    };
    for (let i = 0; i < runs; i++) {
      for (const [name, s] of Object.entries(servers)) {
        const t = await withCpu(s, () => load({ port: s.port, ...TOKEN, connections, seconds }), (r) => r.total);
        if (t.result.non2xx || t.result.errors) throw new Error(`${name} token endpoint: ${t.result.non2xx} non-2xx, ${t.result.errors} errors`);
        record('token', name, { ...t.result, cpuMs: t.cpuMs });
        if (name === 'floor') continue;
        record('discovery', name, await load({ port: s.port, path: '/.well-known/openid-configuration', connections, seconds: seconds / 2 }));
        record('jwks', name, await load({ port: s.port, path: '/jwks', connections, seconds: seconds / 2 }));
        const flows = [['flow1', 1], ['flow8', 8], ...(name === 'dev-op' ? [['flow1jwt', 1, WEB_JWT], ['flow8jwt', 8, WEB_JWT]] : [])];
        for (const [key, loops, web] of flows) {
          const f = await withCpu(s, () => flowsPerSecond(s.port, loops, seconds / 2, web), (fps, secs) => fps * secs);
          record(key, name, { fps: f.result, cpuMs: f.cpuMs });
        }
      }
    }
    await sleep(500);
    const rssAfter = Object.fromEntries(Object.entries(servers).map(([k, s]) => [k, s.rss()]));

    const med = (key, name, field) => median(results[key][name].map((r) => (field ? r[field] : r)));
    const tok = (name) => med('token', name, 'rps');
    const tokRows = ['dev-op', 'peer', 'floor'].map((name) => [
      name === 'peer' ? 'node-oidc-provider' : name === 'floor' ? 'floor (koa + jose)' : 'dev-op (memory)',
      fmt(tok(name)), fmt(med('token', name, 'p50'), 1), fmt(med('token', name, 'p99'), 1),
      fmtRatio(ratio(tok('dev-op'), tok(name))), fmt(med('token', name, 'cpuMs') * 1000, 0),
    ]);
    const vsPeer = ratio(tok('dev-op'), tok('peer'));
    const vsFloor = ratio(tok('dev-op'), tok('floor'));
    table(`Token endpoint, client_credentials, RS256 JWT access token (${connections} connections, ${seconds} s × ${runs} runs, median)`,
      ['server', 'req/s', 'p50 ms', 'p99 ms', 'dev-op ÷ this', 'server CPU µs/req'], tokRows, [
        `targets: ≥ 1.5× peer → ${fmtRatio(vsPeer)} ${verdict(vsPeer, 1.5, true)}; ≥ 85% of floor → ${(vsFloor * 100).toFixed(0)}% ${verdict(vsFloor, 0.85, true)}`,
        'server CPU: user + system time of the server process (/proc) per request, the thread pool included.',
        'reproduce: node bench/run.mjs --only throughput',
      ]);

    const flowRows = [['1 loop', 'flow1', 'flow1'], ['8 loops', 'flow8', 'flow8'], ['1 loop, dev-op JWT access token', 'flow1jwt', 'flow1'], ['8 loops, dev-op JWT access token', 'flow8jwt', 'flow8']].map(([label, key, peerKey]) => [
      label, fmt(med(key, 'dev-op', 'fps'), 0), fmt(med(peerKey, 'peer', 'fps'), 0), fmtRatio(ratio(med(key, 'dev-op', 'fps'), med(peerKey, 'peer', 'fps'))),
      fmt(med(key, 'dev-op', 'cpuMs'), 2), fmt(med(peerKey, 'peer', 'cpuMs'), 2),
    ]);
    const f1 = ratio(med('flow1', 'dev-op', 'fps'), med('flow1', 'peer', 'fps'));
    const f8 = ratio(med('flow8', 'dev-op', 'fps'), med('flow8', 'peer', 'fps'));
    table(`Headless authorization code + PKCE flows per second (authorize → code → token → userinfo, ${seconds / 2} s × ${runs} runs)`,
      ['client loops', 'dev-op flows/s', 'peer flows/s', 'dev-op ÷ peer', 'dev-op server CPU ms/flow', 'peer server CPU ms/flow'], flowRows, [
        `target: ≥ 2× peer → 1 loop ${fmtRatio(f1)} ${verdict(f1, 2, true)}, 8 loops ${fmtRatio(f8)} ${verdict(f8, 2, true)}`,
        'Each flow is a new user agent (empty cookie jar). dev-op: --auto-login alice (/auth answers with the code).',
        'Both issue an opaque access token + RS256 ID token (node-oidc-provider\'s only way to serve userinfo); the JWT rows',
        'show dev-op\'s default RS256 JWT access token (one more signature per flow) against the same peer figures.',
        'Peer: /auth → /interaction/:uid (auto-approve: interactionFinished) → /auth/:uid → code. See bench/README.md.',
      ]);

    const docRows = [['discovery', 'discovery'], ['JWKS', 'jwks']].map(([label, key]) => [
      label, fmt(med(key, 'dev-op', 'rps')), fmt(med(key, 'peer', 'rps')), fmtRatio(ratio(med(key, 'dev-op', 'rps'), med(key, 'peer', 'rps'))),
      fmt(med(key, 'dev-op', 'p99'), 1), fmt(med(key, 'peer', 'p99'), 1),
    ]);
    const d = ratio(med('discovery', 'dev-op', 'rps'), med('discovery', 'peer', 'rps'));
    const j = ratio(med('jwks', 'dev-op', 'rps'), med('jwks', 'peer', 'rps'));
    table(`Discovery and JWKS (${connections} connections, ${seconds / 2} s × ${runs} runs)`,
      ['document', 'dev-op req/s', 'peer req/s', 'dev-op ÷ peer', 'dev-op p99 ms', 'peer p99 ms'], docRows, [
        `target: ≥ 3× peer → discovery ${fmtRatio(d)} ${verdict(d, 3, true)}, JWKS ${fmtRatio(j)} ${verdict(j, 3, true)}`,
      ]);

    const memRows = ['dev-op', 'peer', 'floor'].map((name) => [
      name === 'peer' ? 'node-oidc-provider' : name === 'floor' ? 'floor (koa + jose)' : 'dev-op (memory)',
      fmt(mb(rssIdle[name]), 1), fmt(mb(rssAfter[name]), 1), fmtRatio(ratio(rssIdle['dev-op'], rssIdle[name])),
    ]);
    table('Memory (RSS of the servers above)', ['server', 'idle MB', 'after the load MB', 'dev-op idle ÷ this'], memRows, [
      'dev-op here runs through its programmatic API (bench/servers/devop.mjs); the CLI figure is in the cold start table.',
    ]);
    return {
      tokenVsPeer: vsPeer, tokenVsFloor: vsFloor, flow1: f1, flow8: f8, discovery: d, jwks: j,
      tokenRps: tok('dev-op'), peerRps: tok('peer'), floorRps: tok('floor'),
    };
  } finally {
    for (const s of Object.values(servers)) await s.stop();
  }
}
