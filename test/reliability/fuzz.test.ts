import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { startDevOp } from '../../src/index.js';
import { routes } from '../../src/provider/routes.js';
import { FormAgent } from '../helpers/browser-like.js';
import { devOp, tempDir } from '../helpers/cli.js';
import { authRequest, authorize, basic, relyingParty } from '../provider/support.js';
import { generate, type FuzzContext, type FuzzTarget } from './fuzz-gen.js';
import { clientCredentials, prng, rawHttp, readDataFile, startServerProcess, type RawResponse, type ServerProcess } from './support.js';

/**
 * Thousands of malformed requests to every route of src/provider/routes.ts (loopback only, a
 * fixed seed, a bounded count and time). Every answer must be a 4xx with an RFC 6749-style JSON
 * body or an HTML error page (or a success) — never a 5xx, a hang or a crash — and the server
 * must still run a normal flow afterwards.
 *
 *   DEV_OP_FUZZ_COUNT=50000 DEV_OP_FUZZ_SECONDS=600 npm test -- test/reliability/fuzz   # a longer run
 *   DEV_OP_FUZZ_SEED=1234 …                                                              # another seed
 */

const COUNT = Number(process.env.DEV_OP_FUZZ_COUNT ?? 3000);
const SECONDS = Number(process.env.DEV_OP_FUZZ_SECONDS ?? (process.env.DEV_OP_FUZZ_COUNT ? 3600 : 12));
const SEED = Number(process.env.DEV_OP_FUZZ_SEED ?? 20_240_607);
const PARALLEL = 8;

/** Why `res` is not an acceptable answer, or undefined. */
function problem(method: string, res: RawResponse): string | undefined {
  if (res.status >= 500) return `status ${res.status}: ${res.body.slice(0, 200)}`;
  if (res.status < 400 || method === 'HEAD') return undefined;
  const type = res.headers['content-type'] ?? '';
  if (type.includes('text/html')) return /<html/i.test(res.body) ? undefined : 'an HTML error without a page';
  if (!type.includes('json')) return `a ${res.status} with content-type "${type}": ${res.body.slice(0, 100)}`;
  try {
    const body = JSON.parse(res.body) as { error?: unknown; error_description?: unknown };
    if (typeof body.error !== 'string' || (body.error_description !== undefined && typeof body.error_description !== 'string')) {
      return `a ${res.status} JSON body without a string "error": ${res.body.slice(0, 200)}`;
    }
  } catch {
    return `a ${res.status} body that is not JSON: ${res.body.slice(0, 100)}`;
  }
  return undefined;
}

/** Cookies a response sets, as `name=value` pairs. */
function setCookies(res: Response, jar: Map<string, string>): void {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair!.indexOf('=');
    jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
  }
}

/** Browsers part-way through a sign-in: three at the login page, three at the consent page. */
async function browsers(port: number, clientId: string, redirectUri: string): Promise<NonNullable<FuzzContext['browsers']>> {
  const base = `http://127.0.0.1:${port}`;
  const out: NonNullable<FuzzContext['browsers']> = [];
  for (let i = 0; i < 6; i++) {
    const jar = new Map<string, string>();
    const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const query = new URLSearchParams({ client_id: clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid profile', state: `s${i}`, nonce: `n${i}` });
    const auth = await fetch(`${base}/auth?${query}`, { redirect: 'manual' });
    setCookies(auth, jar);
    const interaction = new URL(auth.headers.get('location')!).pathname;
    const page = await fetch(`${base}${interaction}`, { headers: { cookie: cookie() } });
    setCookies(page, jar);
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    if (i >= 3) {
      const login = await fetch(`${base}${interaction}/login`, {
        method: 'POST', redirect: 'manual', headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, username: 'alice' }).toString(),
      });
      expect(login.status).toBe(302);
      setCookies(login, jar);
    }
    out.push({ uid: interaction.split('/')[2]!, cookie: cookie(), csrf });
  }
  return out;
}

describe('fuzz', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let data: string;
  let server: ServerProcess;
  let table: FuzzTarget[];

  beforeAll(async () => {
    // The route table itself, from a throw-away in-memory provider: every route is fuzzed.
    const probe = await startDevOp({ port: 0, host: '127.0.0.1', memory: true });
    table = routes(probe.provider).map(([methods, path]) => ({ methods, path }));
    await probe.stop();
    table.push({ methods: ['GET', 'POST'], path: '/no/such/route' });

    dir = await tempDir();
    data = join(dir.path, 'db.json');
    const add = await devOp(['client', 'add', '--id', 'svc', '--secret', 'svc-secret', '--grant', 'client_credentials', '--data', data]);
    expect(add.exitCode, add.stderr).toBe(0);
    // A file-backed server (so the admin endpoint is on) with the JSON request log, to check for 5xx.
    server = await startServerProcess(['--data', data, '--log-format', 'json']);
  });
  afterAll(async () => {
    await server?.stop();
    await dir?.cleanup();
  });

  it(`${COUNT} malformed requests (seed ${SEED}) over every route: no 5xx, no hang, no crash; a normal flow works after`, async () => {
    const file = await readDataFile(data);
    const app = file.clients.find((c: { client_id: string }) => c.client_id === 'app');
    const { adminToken } = JSON.parse(await readFile(`${data}.owner.json`, 'utf8'));
    const ctx: FuzzContext = {
      port: server.ready.port, clientId: 'app', clientSecret: app.client_secret, redirectUri: app.redirect_uris[0],
      adminToken, maxBody: DEFAULTS.maxBodyBytes,
    };
    ctx.browsers = await browsers(ctx.port, app.client_id, ctx.redirectUri);
    const rng = prng(SEED);
    const deadline = Date.now() + SECONDS * 1000;
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    let resetAfterOversize = 0;
    let next = 0;
    const worker = async () => {
      while (next < COUNT && Date.now() < deadline && failures.length < 20) {
        const i = next++;
        const route = table[i % table.length]!;
        const req = generate(rng, route, ctx);
        sent++;
        const size = req.body?.length ?? 0;
        try {
          const res = await rawHttp(ctx.port, req, { timeoutMs: 10_000 });
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const why = problem(req.method, res);
          if (why) failures.push(`#${i} ${req.method} ${req.target.slice(0, 150)}: ${why}`);
        } catch (err) {
          // A body over the cap may be cut off by the server closing the connection mid-upload.
          if (size > ctx.maxBody && !/hang/.test((err as Error).message)) resetAfterOversize++;
          else failures.push(`#${i} ${req.method} ${req.target.slice(0, 150)}: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));

    const summary = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(`fuzz: ${sent} requests sent (seed ${SEED}) over ${table.length} routes; statuses ${summary}; ${resetAfterOversize} oversize uploads cut off`);
    expect(failures).toEqual([]);
    expect(server.proc.exitCode, 'the server process is still running').toBeNull();
    expect(sent).toBeGreaterThanOrEqual(Math.min(COUNT, 1000));

    // No 5xx in the server's own request log either (the JSON lines of --log-format json).
    const logged = server.stderr().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { status: number });
    expect(logged.length).toBeGreaterThan(sent / 2);
    expect(logged.filter((l) => l.status >= 500)).toEqual([]);
    expect(server.stderr()).not.toMatch(/\n\s+at |server_error/);

    // A normal flow afterwards: client credentials, and a browser-style code flow through the pages.
    const base = `http://127.0.0.1:${ctx.port}`;
    expect((await clientCredentials(base, 'svc', 'svc-secret')).status).toBe(200);
    const rp = { issuer: `http://localhost:${ctx.port}` } as Parameters<typeof relyingParty>[0];
    const config = await relyingParty(rp, app);
    const req = await authRequest(config, ctx.redirectUri);
    const callback = await authorize(new FormAgent(), req.url);
    const token = await fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('app', app.client_secret) },
      body: new URLSearchParams({
        grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: ctx.redirectUri, code_verifier: req.verifier,
      }).toString(),
    });
    expect(token.status).toBe(200);
    expect((await token.json()) as object).toHaveProperty('id_token');
  }, 60_000 + SECONDS * 1000);
});
