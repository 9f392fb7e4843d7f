/**
 * Issue 14, on demand (`node bench/run.mjs --only redis`; needs the redis-server binary): dev-op on
 * a Redis store against dev-op on a data file, in the same run.
 * - client_credentials (RS256 JWT access token) throughput, one replica on Redis vs the file store,
 *   alternated runs; target ≥ 0.7×;
 * - code + PKCE flows across two replicas on one Redis and one issuer (authorize at A, token at B,
 *   userinfo at A) under load: flows/s and errors (target 0);
 * - Redis round trips per token request and per code flow, counted with MONITOR: commands sent by
 *   the replicas, a MULTI…EXEC block (sent in one write) counting once, commands run inside Lua
 *   scripts not at all.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basic, client, CookieJar, sleep } from '../lib/http.mjs';
import { load } from '../lib/load.mjs';
import { CC, WEB } from '../lib/fixture.mjs';
import { spawnServer, SERVERS } from '../lib/proc.mjs';
import { fmt, fmtRatio, median, ratio, verdict } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

const TOKEN = {
  path: '/token',
  method: 'POST',
  headers: { authorization: basic(CC.id, CC.secret), 'content-type': 'application/x-www-form-urlencoded' },
  body: `grant_type=client_credentials&scope=${CC.scope}`,
};

async function freePort() {
  const probe = createServer();
  await new Promise((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address();
  await new Promise((done) => probe.close(done));
  return port;
}

/** redis-server as README's "Shared instance" configures it: appendonly, fsync every second. */
async function startRedis(dir) {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((done) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), done(true)));
      s.once('error', () => done(false));
    });
    if (up) return { port, url: `redis://127.0.0.1:${port}/0`, stop: () => child.kill('SIGKILL') };
    await sleep(50);
  }
  throw new Error('redis-server did not start');
}

/** Count the replicas' round trips while `work` runs (MONITOR through redis-cli). */
async function roundTrips(redisPort, work) {
  const monitor = spawn('redis-cli', ['-p', String(redisPort), 'monitor'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let text = '';
  monitor.stdout.on('data', (d) => (text += d));
  await sleep(300);
  await work();
  await sleep(300);
  monitor.kill();
  const inMulti = new Set();
  let trips = 0;
  for (const line of text.split('\n')) {
    const m = /^\d+\.\d+ \[\d+ ([^\]]+)\] "([A-Za-z]+)"/.exec(line);
    if (!m || m[1] === 'lua') continue;
    const [, who, command] = m;
    const name = command.toUpperCase();
    if (name === 'MULTI') {
      inMulti.add(who);
      trips++;
    } else if (name === 'EXEC' || name === 'DISCARD') inMulti.delete(who);
    else if (!inMulti.has(who)) trips++;
  }
  return trips;
}

/** One code + PKCE flow split over two replicas: authorize at `a`, redeem at `b`, userinfo at `a`. */
async function crossFlow(a, b) {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    client_id: WEB.id, redirect_uri: WEB.redirectUri, response_type: 'code', scope: WEB.scope, state: 'st',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  });
  let path = `/auth?${query}`;
  let code;
  for (let hops = 0; hops < 6 && !code; hops++) {
    const res = await a.request('GET', path, { headers: { cookie: jar.header() } });
    jar.take(res.headers);
    if (res.status < 300 || res.status >= 400) throw new Error(`authorize: ${res.status} ${res.body.slice(0, 200)}`);
    const location = new URL(res.headers.location, 'http://localhost');
    if (location.href.startsWith(WEB.redirectUri)) code = location.searchParams.get('code');
    else path = location.pathname + location.search;
  }
  const tokenRes = await b.request('POST', '/token', {
    headers: { authorization: basic(WEB.id, WEB.secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: WEB.redirectUri, code_verifier: verifier }).toString(),
  });
  if (tokenRes.status !== 200) throw new Error(`token: ${tokenRes.status} ${tokenRes.body}`);
  const me = await a.request('GET', '/me', { headers: { authorization: `Bearer ${JSON.parse(tokenRes.body).access_token}` } });
  if (me.status !== 200) throw new Error(`userinfo: ${me.status} ${me.body}`);
}

async function crossFlows(portA, portB, loops, seconds) {
  const until = performance.now() + seconds * 1000;
  let flows = 0;
  const errors = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: loops }, async (_, i) => {
    // Half the loops authorize at A and redeem at B, half the other way round.
    const [a, b] = i % 2 ? [client(portA), client(portB)] : [client(portB), client(portA)];
    try {
      while (performance.now() < until) {
        try {
          await crossFlow(a, b);
          flows++;
        } catch (err) {
          errors.push(err.message);
        }
      }
    } finally {
      a.close();
      b.close();
    }
  }));
  return { perSecond: flows / ((performance.now() - started) / 1000), flows, errors };
}

export async function run({ runs, seconds, connections }) {
  const dir = mkdtempSync(join(tmpdir(), 'dev-op-bench-redis-'));
  const redis = await startRedis(dir);
  const issuerPort = await freePort();
  const issuer = `http://localhost:${issuerPort}`;
  const replica = (port) => spawnServer(process.execPath, [`${SERVERS}devop.mjs`, JSON.stringify({ store: redis.url, issuer, port, autoLogin: 'alice' })]);
  const servers = {};
  try {
    servers.file = await spawnServer(process.execPath, [`${SERVERS}devop.mjs`, JSON.stringify({ data: join(dir, 'db.json'), autoLogin: 'alice' })]);
    servers.redisA = await replica(issuerPort);
    servers.redisB = await replica(0);
    for (const s of Object.values(servers)) await load({ port: s.port, ...TOKEN, connections, seconds: 1 });

    const rps = { file: [], redis: [] };
    const cpu = { file: [], redis: [] };
    // Alternated, so that what else the machine runs hits both alike; CPU per request from /proc.
    const measure = async (name, s) => {
      const before = s.cpuMs();
      const result = await load({ port: s.port, ...TOKEN, connections, seconds });
      rps[name].push(result.okRps);
      cpu[name].push((s.cpuMs() - before) / result.total);
    };
    for (let i = 0; i < runs; i++) {
      await measure('file', servers.file);
      await measure('redis', servers.redisA);
    }
    const tokenRatio = ratio(median(rps.redis), median(rps.file));
    table(`client_credentials, RS256 JWT access token: Redis store vs file store (${connections} connections, ${seconds} s × ${runs}, median)`,
      ['store', 'req/s', 'server CPU ms/req', 'ratio'],
      [['file (--data)', fmt(median(rps.file)), fmt(median(cpu.file), 2), ''],
        ['Redis (--store), one replica', fmt(median(rps.redis)), fmt(median(cpu.redis), 2), fmtRatio(tokenRatio)]],
      [`target ≥ 0.70× ${verdict(tokenRatio, 0.7, true)}`]);

    await crossFlows(servers.redisA.port, servers.redisB.port, 4, 1); // warm-up
    const cross = await crossFlows(servers.redisA.port, servers.redisB.port, 8, seconds * 2);
    table('code + PKCE flows across two replicas (authorize at one, token at the other), 8 loops',
      ['flows/s', 'flows', 'errors'], [[fmt(cross.perSecond), cross.flows, cross.errors.length]],
      cross.errors.length ? [`first error: ${cross.errors[0]}`] : ['target: 0 errors ✓']);

    const n = 50;
    const cc = client(servers.redisA.port);
    const perToken = (await roundTrips(redis.port, async () => {
      for (let i = 0; i < n; i++) await cc.request(TOKEN.method, TOKEN.path, { headers: TOKEN.headers, body: TOKEN.body });
    })) / n;
    cc.close();
    const a = client(servers.redisA.port);
    const b = client(servers.redisB.port);
    const perFlow = (await roundTrips(redis.port, async () => {
      for (let i = 0; i < 20; i++) await crossFlow(a, b);
    })) / 20;
    a.close();
    b.close();
    table('Redis round trips (MONITOR; a MULTI…EXEC block counts once, commands inside Lua scripts not at all)',
      ['request', 'round trips'],
      [['client_credentials token request', fmt(perToken, 2)], ['code + PKCE flow: /auth (+ redirects), /token, /me', fmt(perFlow, 2)]],
      [`target ≤ 2 per token request ${verdict(perToken, 2, false)}`]);
    return { rps, tokenRatio, cross: { perSecond: cross.perSecond, errors: cross.errors.length }, perToken, perFlow };
  } finally {
    for (const s of Object.values(servers)) await s.stop();
    redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
