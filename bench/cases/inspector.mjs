import { spawnServer, SERVERS } from '../lib/proc.mjs';
import { basic, sleep } from '../lib/http.mjs';
import { load } from '../lib/load.mjs';
import { CC } from '../lib/fixture.mjs';
import { fmt, mb, median } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';
import { flowsPerSecond, oneFlow } from './flow.mjs';
import { client } from '../lib/http.mjs';
import { WEB_JWT } from '../lib/fixture.mjs';

const TOKEN = {
  path: '/token',
  method: 'POST',
  headers: { authorization: basic(CC.id, CC.secret), 'content-type': 'application/x-www-form-urlencoded' },
  body: `grant_type=client_credentials&scope=${CC.scope}`,
};

/**
 * The flow inspector's cost: the same dev-op with it on (the default) and off
 * (features.inspector.enabled = false), side by side, runs interleaved. Token endpoint
 * (client_credentials) req/s and server CPU per request; code + PKCE flows (3 requests each:
 * JWT access tokens) per second and server CPU per flow; RSS after the load (the recording is
 * bounded: about 2 MB). `node bench/run.mjs --only inspector`.
 */
export async function run({ runs, seconds, keyFile, connections }) {
  const env = { BENCH_KEY_FILE: keyFile };
  const base = { memory: true, autoLogin: 'alice' };
  const servers = {
    on: await spawnServer(process.execPath, [`${SERVERS}devop.mjs`, JSON.stringify(base)], { env }),
    off: await spawnServer(process.execPath, [`${SERVERS}devop.mjs`, JSON.stringify({ ...base, features: { inspector: { enabled: false } } })], { env }),
  };
  try {
    const results = { on: { token: [], flows: [] }, off: { token: [], flows: [] } };
    for (const s of Object.values(servers)) {
      await load({ port: s.port, ...TOKEN, connections, seconds: 1 });
      await flowsPerSecond(s.port, 8, 0.5, WEB_JWT);
    }
    for (let i = 0; i < runs; i++) {
      for (const [name, s] of Object.entries(servers)) {
        let before = s.cpuMs();
        const t = await load({ port: s.port, ...TOKEN, connections, seconds });
        if (t.non2xx || t.errors) throw new Error(`${name}: ${t.non2xx} non-2xx, ${t.errors} errors`);
        results[name].token.push({ rps: t.rps, p99: t.p99, cpuUs: ((s.cpuMs() - before) * 1000) / t.total });
        before = s.cpuMs();
        const started = performance.now();
        const fps = await flowsPerSecond(s.port, 8, seconds / 2, WEB_JWT);
        const flows = fps * ((performance.now() - started) / 1000);
        results[name].flows.push({ fps, cpuUs: ((s.cpuMs() - before) * 1000) / flows });
      }
    }
    await sleep(300);
    const med = (name, kind, field) => median(results[name][kind].map((r) => r[field]));
    const pct = (on, off) => `${(((on - off) / off) * 100).toFixed(1)}%`;
    const rows = ['on', 'off'].map((name) => [
      `inspector ${name}`, fmt(med(name, 'token', 'rps')), fmt(med(name, 'token', 'p99'), 1), fmt(med(name, 'token', 'cpuUs'), 0),
      fmt(med(name, 'flows', 'fps')), fmt(med(name, 'flows', 'cpuUs'), 0), fmt(mb(servers[name].rss()), 1),
    ]);
    const cpuToken = med('on', 'token', 'cpuUs') - med('off', 'token', 'cpuUs');
    const cpuFlow = med('on', 'flows', 'cpuUs') - med('off', 'flows', 'cpuUs');
    table(`Flow inspector on vs off (${connections} connections, ${seconds} s × ${runs} runs, median)`,
      ['server', 'token req/s', 'token p99 ms', 'CPU µs/token req', 'flows/s (8 loops)', 'CPU µs/flow', 'RSS after MB'], rows, [
        `inspector cost: ${fmt(cpuToken, 0)} µs CPU per token request (${pct(med('on', 'token', 'cpuUs'), med('off', 'token', 'cpuUs'))}), `
          + `${fmt(cpuFlow, 0)} µs per 3-request flow (${pct(med('on', 'flows', 'cpuUs'), med('off', 'flows', 'cpuUs'))}); `
          + `req/s ${pct(med('on', 'token', 'rps'), med('off', 'token', 'rps'))}`,
        'reproduce: node bench/run.mjs --only inspector [--runs N --seconds S]',
      ]);
    return { results, cpuPerTokenRequestUs: cpuToken, cpuPerFlowUs: cpuFlow, inProcess: await inProcess(runs) };
  } finally {
    for (const s of Object.values(servers)) await s.stop();
  }
}

/**
 * The same comparison with less noise: both instances in this process, one serial client, CPU of
 * the whole process per code flow (client included, the same for both), alternating on and off.
 */
async function inProcess(runs) {
  const { startDevOp } = await import('../../dist/index.js');
  const start = async (enabled) => {
    const op = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, log: 'none', autoLogin: 'alice', features: { inspector: { enabled } } });
    await op.store.addClient({
      client_id: WEB_JWT.id, client_secret: WEB_JWT.secret, redirect_uris: [WEB_JWT.redirectUri], post_logout_redirect_uris: [],
      grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', access_token_format: 'jwt',
    });
    await op.keysReady;
    return op;
  };
  const ops = { on: await start(true), off: await start(false) };
  const flows = async (op, n) => {
    const http = client(op.port);
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) await oneFlow(http, WEB_JWT);
    const used = process.cpuUsage(before);
    http.close();
    return (used.user + used.system) / n;
  };
  try {
    await flows(ops.on, 200);
    await flows(ops.off, 200);
    const cpu = { on: [], off: [] };
    for (let i = 0; i < Math.max(3, runs * 2); i++) for (const name of ['on', 'off']) cpu[name].push(await flows(ops[name], 300));
    const on = median(cpu.on);
    const off = median(cpu.off);
    table('Flow inspector on vs off, in one process (serial code flows, process CPU per flow, median)',
      ['inspector', 'CPU µs/flow'], [['on', fmt(on, 0)], ['off', fmt(off, 0)]],
      [`inspector cost: ${fmt(on - off, 0)} µs per 3-request flow (${(((on - off) / off) * 100).toFixed(1)}%)`]);
    return { onUs: on, offUs: off };
  } finally {
    await ops.on.stop();
    await ops.off.stop();
  }
}
