import { join } from 'node:path';
import { execa } from 'execa';
import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import type { FaultRule } from '../../src/util/faults.js';
import { BIN, serverForSuite, tempDir } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError, project } from './support.js';

/** `dev-op fault add|list|clear` change the running server's rules through its admin endpoint. */
describe('dev-op fault with dev-op start running', () => {
  const op = serverForSuite();
  const tokenRequest = () => fetch(`${op.issuer}/token`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=app',
  });

  it('fault add --endpoint token --client app --error invalid_grant --times 2: the next two token requests of app get it', async () => {
    const rule = await cliJson<FaultRule>(op.data, ['fault', 'add', '--endpoint', 'token', '--client', 'app', '--error', 'invalid_grant', '--times', '2']);
    expect(rule).toMatchObject({ endpoint: 'token', clientId: 'app', kind: 'error', error: 'invalid_grant', status: 400, times: 2, fired: 0 });
    for (let i = 0; i < 2; i++) {
      const res = await tokenRequest();
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: 'dev-op fault: invalid_grant' });
    }
    expect((await tokenRequest()).status).not.toBe(400);
    expect(await cliJson(op.data, ['fault', 'list'])).toEqual([]);
  });

  it('fault add --status 503 and --latency; list shows them (table and --json); clear removes them', async () => {
    const added = await cli(op.data, ['fault', 'add', '--endpoint', 'token', '--status', '503']);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stderr).toMatch(/fault f\d+: HTTP 503 at token, until `dev-op fault clear`/);
    await cliJson(op.data, ['fault', 'add', '--endpoint', 'discovery', '--latency', '300ms']);
    expect((await tokenRequest()).status).toBe(503);
    const started = performance.now();
    await oidc.discovery(new URL(op.issuer), 'app', undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    const rules = await cliJson<FaultRule[]>(op.data, ['fault', 'list']);
    expect(rules.map((r) => [r.endpoint, r.kind, r.fired])).toEqual([['token', 'status', 1], ['discovery', 'latency', 1]]);
    const table = await cli(op.data, ['fault', 'list']);
    expect(table.stdout).toMatch(/token\s+\(any\)\s+HTTP 503/);
    expect(table.stdout).toMatch(/discovery\s+\(any\)\s+latency only\s+300ms/);
    expect(await cliJson(op.data, ['fault', 'clear'])).toEqual({ cleared: 2 });
    expect((await tokenRequest()).status).not.toBe(503);
  });

  it('kind flags: --id-token wrong-aud, --device-pending 2, --deny-consent, --jwks-without-key, --userinfo-sub-mismatch', async () => {
    const kinds = [
      [['--id-token', 'wrong-aud', '--client', 'app'], 'id_token_wrong_aud', 'token'],
      [['--device-pending', '2'], 'device_pending', 'token'],
      [['--deny-consent'], 'deny_consent', 'authorization'],
      [['--jwks-without-key'], 'jwks_without_key', 'jwks'],
      [['--userinfo-sub-mismatch'], 'userinfo_sub_mismatch', 'userinfo'],
    ] as const;
    for (const [flags, kind, endpoint] of kinds) {
      expect(await cliJson(op.data, ['fault', 'add', ...flags])).toMatchObject({ kind, endpoint });
    }
    expect(await cliJson(op.data, ['fault', 'clear'])).toEqual({ cleared: 5 });
  });

  it('bad rules: one line, exit 1, nothing added', async () => {
    expectUsageError(await cli(op.data, ['fault', 'add', '--endpoint', 'token']), 'say what the fault does');
    expectUsageError(await cli(op.data, ['fault', 'add', '--endpoint', 'tokens', '--status', '500']), '--endpoint must be one of');
    expectUsageError(await cli(op.data, ['fault', 'add', '--endpoint', 'token', '--client', 'ghost', '--status', '500']), 'no such client');
    expectUsageError(await cli(op.data, ['fault', 'add', '--endpoint', 'token', '--status', 'soon']), '--status must be a whole number');
    expectUsageError(await cli(op.data, ['fault', 'add', '--deny-consent', '--jwks-without-key']), 'one fault per rule');
    expect(await cliJson(op.data, ['fault', 'list'])).toEqual([]);
  });
});

describe('dev-op fault with no server running', () => {
  it('says faults need a running server and exits 1, with or without a data file', async () => {
    const p = await project();
    const empty = await tempDir();
    try {
      expectUsageError(await cli(p.data, ['fault', 'add', '--endpoint', 'token', '--status', '503']), 'fault rules apply to a running server');
      expectUsageError(await cli(p.data, ['fault', 'list']), 'fault rules apply to a running server');
      expectUsageError(await cli(join(empty.path, 'db.json'), ['fault', 'clear']), 'fault rules apply to a running server');
    } finally {
      await p.cleanup();
      await empty.cleanup();
    }
  });
});

describe('every firing is in the request log', () => {
  it('the log line of a faulted request names the rule and its kind', async () => {
    const tmp = await tempDir();
    const data = join(tmp.path, 'db.json');
    const proc = execa('node', [BIN, 'start', '--json', '--port', '0', '--log-format', 'json', '--data', data], { reject: false, env: { NO_COLOR: '1' } });
    try {
      const ready = await new Promise<{ issuer: string }>((resolve) => {
        proc.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()) as { issuer: string }));
      });
      let log = '';
      proc.stderr!.on('data', (chunk: Buffer) => { log += chunk.toString(); });
      const rule = await cliJson<FaultRule>(data, ['fault', 'add', '--endpoint', 'token', '--error', 'invalid_grant']);
      await fetch(`${ready.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=app' });
      await expect.poll(() => log).toContain('"path":"/token"');
      const line = JSON.parse(log.split('\n').find((l) => l.includes('"path":"/token"'))!) as Record<string, unknown>;
      expect(line).toMatchObject({ method: 'POST', status: 400, client_id: 'app', detail: `fault ${rule.id} error invalid_grant` });
    } finally {
      proc.kill('SIGTERM');
      await proc;
      await tmp.cleanup();
    }
  });
});
