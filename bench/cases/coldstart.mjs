import { spawnServer } from '../lib/proc.mjs';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basic, client, firstOk, sleep } from '../lib/http.mjs';
import { CC } from '../lib/fixture.mjs';
import { fmt, fmtRatio, mb, median, ratio, verdict } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';
import { ROOT, SERVERS } from '../lib/proc.mjs';

const BARE = `require('node:http').createServer((q,s)=>s.end('{}')).listen(0,'127.0.0.1',function(){process.stdout.write(JSON.stringify({event:'ready',port:this.address().port})+'\\n')})`;

/** POST a client_credentials request until it answers 200: the first access token. */
async function firstToken(port) {
  const http = client(port);
  try {
    for (;;) {
      const res = await http.request('POST', '/token', {
        headers: { authorization: basic(CC.id, CC.secret), 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&scope=${CC.scope}`,
      });
      if (res.status === 200) return performance.now();
      if (res.status !== 503) throw new Error(`token: ${res.status} ${res.body}`);
    }
  } finally {
    http.close();
  }
}

async function coldStart(command, args, env, discoveryPath, jwksPath, token) {
  const server = await spawnServer(command, args, { env });
  try {
    // As a client would: discovery, then the key set, then (where the server has the client) a token.
    const discovery = (await firstOk(server.port, discoveryPath)) - server.started;
    const jwks = jwksPath ? (await firstOk(server.port, jwksPath)) - server.started : NaN;
    const tokenMs = token ? (await firstToken(server.port)) - server.started : NaN;
    await sleep(300);
    return { ready: server.readyMs, discovery, jwks, token: tokenMs, rss: server.rss() };
  } finally {
    await server.stop();
  }
}

/** 1. Cold start: process spawn → first 200 from discovery; and in-process starts. */
export async function run({ runs, keyFile }) {
  const env = { BENCH_KEY_FILE: keyFile };
  const dataDir = mkdtempSync(join(tmpdir(), 'dev-op-bench-'));
  const dataFile = join(dataDir, 'db.json');
  // A data file with a stored key, as on every start after the first.
  // The client_credentials client the peer has, as a --seed fixture (for the first-token column).
  const seedFile = join(dataDir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify({ clients: [{ client_id: CC.id, client_secret: CC.secret, grant_types: ['client_credentials'], scope: CC.scope }] }));
  await (await spawnServer(process.execPath, ['bin/dev-op.js', 'start', '--port', '0', '--data', dataFile, '--seed', seedFile, '--json', '--quiet'])).stop();
  const kinds = {
    'dev-op start --memory (CLI)': [process.execPath, ['bin/dev-op.js', 'start', '--port', '0', '--memory', '--json', '--quiet'], '/.well-known/openid-configuration', '/jwks'],
    'dev-op start --memory --seed (CLI)': [process.execPath, ['bin/dev-op.js', 'start', '--port', '0', '--memory', '--seed', seedFile, '--json', '--quiet'], '/.well-known/openid-configuration', '/jwks', true],
    'dev-op start --data (stored key)': [process.execPath, ['bin/dev-op.js', 'start', '--port', '0', '--data', dataFile, '--json', '--quiet'], '/.well-known/openid-configuration', '/jwks', true],
    'node-oidc-provider': [process.execPath, [`${SERVERS}peer.mjs`], '/.well-known/openid-configuration', '/jwks', true],
    'floor (koa + jose)': [process.execPath, [`${SERVERS}floor.mjs`], '/', undefined],
    'bare node:http': [process.execPath, ['-e', BARE], '/', undefined],
  };
  const samples = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
  const spawns = Math.max(5, runs * 3);
  for (let i = 0; i < spawns; i++) {
    for (const [name, [cmd, args, discoveryPath, jwksPath, token]] of Object.entries(kinds)) {
      samples[name].push(await coldStart(cmd, args, env, discoveryPath, jwksPath, token));
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  const m = (name, field) => median(samples[name].map((s) => s[field]));
  const peer = m('node-oidc-provider', 'discovery');
  const peerRss = m('node-oidc-provider', 'rss');
  const rows = Object.keys(kinds).map((name) => [
    name, fmt(m(name, 'ready')), fmt(m(name, 'discovery')), fmt(m(name, 'jwks')), fmt(m(name, 'token')), fmtRatio(ratio(m(name, 'discovery'), peer)),
    fmt(mb(m(name, 'rss')), 1), fmtRatio(ratio(m(name, 'rss'), peerRss)),
  ]);
  const cli = m('dev-op start --memory (CLI)', 'discovery');
  const cliRss = m('dev-op start --memory (CLI)', 'rss');
  table(`Cold start, spawn → first 200 (median of ${spawns} spawns each)`,
    ['server', 'ready line ms', 'discovery ms', 'JWKS ms', 'first token ms', 'discovery ÷ peer', 'RSS after start MB', 'RSS ÷ peer'], rows, [
      `target: dev-op --memory ≤ 0.6× peer → ${fmtRatio(ratio(cli, peer))} ${verdict(ratio(cli, peer), 0.6, false)}; RSS ≤ 0.8× peer → ${fmtRatio(ratio(cliRss, peerRss))} ${verdict(ratio(cliRss, peerRss), 0.8, false)}`,
      `first token: discovery, JWKS, then client_credentials until 200, all from spawn (÷ peer: --memory ${fmtRatio(ratio(m('dev-op start --memory --seed (CLI)', 'token'), m('node-oidc-provider', 'token')))},`,
      `stored key ${fmtRatio(ratio(m('dev-op start --data (stored key)', 'token'), m('node-oidc-provider', 'token')))}). The peer loads a stored RS256 key (BENCH_KEY_FILE); dev-op --memory generates one while it`,
      'starts (~150-250 ms of RSA on the thread pool; JWKS and tokens wait for it), and loads the token endpoint on its first request.',
      'RSS is read from /proc 300 ms after the last of these answers.',
      'reproduce: node bench/run.mjs --only coldstart',
    ]);

  // In-process: import once, then start/close repeatedly.
  const inproc = {};
  for (const which of ['devop', 'peer']) {
    const out = JSON.parse(execFileSync(process.execPath, [`${SERVERS}inproc.mjs`, which, String(Math.max(10, runs * 4))], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'ignore'] }).toString());
    inproc[which] = out;
  }
  const ip = (which, field, first) => (first ? inproc[which].runs[0][field] : median(inproc[which].runs.slice(1).map((r) => r[field])));
  const ipRows = [];
  for (const [label, which] of [['dev-op startDevOp({ memory })', 'devop'], ['node-oidc-provider new Provider + listen', 'peer']]) {
    ipRows.push([label, fmt(inproc[which].importMs), fmt(ip(which, 'discoveryMs', true), 1), fmt(ip(which, 'discoveryMs', false), 1), fmt(ip(which, 'jwksMs', true), 1), fmt(ip(which, 'jwksMs', false), 1)]);
  }
  const firstDevop = ip('devop', 'discoveryMs', true);
  const restDevop = ip('devop', 'discoveryMs', false);
  table('In-process start (module already imported) → first 200', ['server', 'import ms', 'discovery ms (1st)', 'discovery ms (later, median)', 'JWKS ms (1st)', 'JWKS ms (later)'], ipRows, [
    `target: ≤ 50 ms → 1st ${fmt(firstDevop, 1)} ms ${verdict(firstDevop, 50, false)}, later ${fmt(restDevop, 1)} ms ${verdict(restDevop, 50, false)}`,
    'reproduce: node bench/servers/inproc.mjs devop 10',
  ]);
  return { cli, peer, cliRatio: ratio(cli, peer), rssRatio: ratio(cliRss, peerRss), inprocFirst: firstDevop, inprocLater: restDevop };
}
