/**
 * What one stored access token costs: memory (RSS and heap) and data-file bytes. On demand:
 *   npm run build && node bench/cases/token-cost.mjs [--n 20000] [--records 100000]
 * 1. Servers: issue N client_credentials tokens (RS256 JWT access tokens, 16 loops) against a
 *    `--memory` server and a data-file server; after a GC, report RSS and heap growth per token and
 *    the file's growth per token. RSS includes what the allocator keeps after the load's garbage.
 * 2. In process, the store alone: put `records` AccessToken records shaped as the token endpoint
 *    makes them into a MemoryStore and report heapUsed growth per record after a GC.
 * Not part of `npm test` or `npm run bench`'s default set (`node bench/run.mjs --only tokencost`).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { basic, client } from '../lib/http.mjs';
import { CC } from '../lib/fixture.mjs';
import { spawnServer, SERVERS } from '../lib/proc.mjs';
import { table } from '../lib/table.mjs';

const LOOPS = 16;

async function issue(port, count) {
  const auth = basic(CC.id, CC.secret);
  const body = 'grant_type=client_credentials&scope=api';
  let next = 0;
  await Promise.all(Array.from({ length: LOOPS }, async () => {
    const http = client(port);
    try {
      while (next < count) {
        next++;
        const res = await http.request('POST', '/token', { headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body });
        if (res.status !== 200) throw new Error(`token ${res.status} ${res.body}`);
      }
    } finally {
      http.close();
    }
  }));
}

/** RSS and heap of the server after a full GC (the server runs with --expose-gc). */
async function settled(server) {
  const { heapUsed, heapTotal, external } = await server.ask({ cmd: 'gc' });
  return { rss: server.rss(), heapUsed, heapTotal, external };
}

/**
 * A server's growth per token. The first tokens also grow the young generation and the allocator's
 * pools once, whatever N: so the baseline is taken after a warm-up of `WARM` tokens, and the
 * figures are the growth from N/2 to N tokens (the slope), next to the growth from the baseline.
 */
const WARM = 2_000;

async function serverCost(label, options, n, dataFile) {
  const server = await spawnServer(process.execPath, ['--expose-gc', `${SERVERS}devop.mjs`, JSON.stringify(options)], { ipc: true, timeoutMs: 60_000 });
  const size = () => (dataFile ? statSync(dataFile).size : 0);
  try {
    await issue(server.port, WARM);
    await server.ask({ cmd: 'flush' });
    const base = { ...(await settled(server)), bytes: size() };
    const t = performance.now();
    await issue(server.port, n / 2);
    await server.ask({ cmd: 'flush' });
    const half = { ...(await settled(server)), bytes: size() };
    await issue(server.port, n / 2);
    const seconds = (performance.now() - t) / 1000;
    await server.ask({ cmd: 'flush' });
    const full = { ...(await settled(server)), bytes: size() };
    const per = (field, from) => ((full[field] - from[field]) / (n - (from === base ? 0 : n / 2))).toFixed(0);
    return [
      label, String(n), (n / seconds).toFixed(0), `${per('rss', half)} (${per('rss', base)})`, `${per('heapUsed', half)} (${per('heapUsed', base)})`,
      `${per('heapTotal', half)} (${per('heapTotal', base)})`, `${per('external', half)} (${per('external', base)})`,
      dataFile ? per('bytes', base) : '—',
    ];
  } finally {
    await server.stop();
  }
}

/** The store alone: heap per AccessToken record, strings made per request as the server makes them. */
async function storeCost(records) {
  const { MemoryStore } = await import('../../dist/store/memory-store.js');
  const store = new MemoryStore();
  const now = Math.floor(Date.now() / 1000);
  const gc = globalThis.gc;
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < records; i++) {
    // A request's strings are its own (parsed from the stored client's JSON), as in the server;
    // the record is the one issueAccessToken stores for a client_credentials JWT access token.
    const client = JSON.parse('{"client_id":"billing-service-backend","scope":"api:read api:write"}');
    const jti = Math.random().toString(36).slice(2).padEnd(22, 'x');
    await store.put('AccessToken', jti, { clientId: client.client_id, sub: client.client_id, exp: now + 3600 });
  }
  gc();
  const perRecord = (process.memoryUsage().heapUsed - before) / records;
  await store.close(); // still referenced here, so not collected before the measurement
  return ['MemoryStore.put AccessToken (in process)', String(records), '—', '—', perRecord.toFixed(0), '—', '—', '—'];
}

export async function run({ n = 20_000, records = 100_000 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dev-op-token-cost-'));
  const dataFile = join(dir, 'db.json');
  try {
    const rows = [
      await serverCost('server --memory', { memory: true }, n),
      await serverCost('server --data', { data: dataFile }, n, dataFile),
      ...(globalThis.gc ? [await storeCost(records)] : []), // needs node --expose-gc
    ];
    table('cost per stored access token (client_credentials, RS256 JWT)', ['', 'tokens', 'tokens/s', 'RSS B/token', 'heap B/token', 'heap committed', 'external', 'file B/token'], rows, [
      'RSS and heap: growth per token from N/2 to N tokens, after a GC; in brackets from the warmed-up baseline.',
    ]);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!globalThis.gc) {
    // The in-process part needs a GC between measurements: run again with it.
    const { execFileSync } = await import('node:child_process');
    execFileSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  } else {
    const { values } = parseArgs({ options: { n: { type: 'string' }, records: { type: 'string' } } });
    await run({ n: Number(values.n ?? 20_000), records: Number(values.records ?? 100_000) });
  }
}
