import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOp, type DevOp, type InspectorReport, type Step } from '../../src/index.js';
import { BIN, tempDir } from '../helpers/cli.js';
import { confidentialClient } from '../helpers/op.js';
import { cli, expectUsageError } from './support.js';

const web = confidentialClient();

/** An authorization request without state (a lint), as a browser sends it. */
function authorizeWithoutState(op: DevOp, clientId = 'web'): Promise<Response> {
  const params = new URLSearchParams({
    client_id: clientId, redirect_uri: web.redirect_uris[0]!, response_type: 'code', scope: 'openid', nonce: 'n',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  });
  return fetch(`${op.issuer}/auth?${params}`, { redirect: 'manual' });
}

describe('dev-op logs', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let op: DevOp;

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    op = await startDevOp({ port: 0, host: '127.0.0.1', data, log: 'none', autoLogin: 'alice' });
    await op.store.addClient(web);
    await op.store.addClient(confidentialClient({ client_id: 'other' }));
  });
  afterAll(async () => {
    await op.stop();
    await dir.cleanup();
  });

  it('--json: the running server\'s requests, flows and lints, per client with --client', async () => {
    await authorizeWithoutState(op);
    await authorizeWithoutState(op, 'other');
    const all = await cli(data, ['logs', '--json']);
    expect(all.exitCode, all.stderr).toBe(0);
    const report = JSON.parse(all.stdout) as InspectorReport;
    const lint = report.lints.find((l) => l.clientId === 'web' && l.code === 'missing-state');
    expect(lint).toMatchObject({ spec: 'RFC 6749 10.12, RFC 9700 4.7.1' });
    expect(report.flows.map((f) => f.clientId)).toEqual(expect.arrayContaining(['web', 'other']));
    // The admin endpoint's own request (this command) is not recorded.
    expect(report.steps.some((s) => s.path.endsWith('/_admin'))).toBe(false);

    const one = JSON.parse((await cli(data, ['logs', '--json', '--client', 'other'])).stdout) as InspectorReport;
    expect(new Set(one.steps.map((s) => s.clientId))).toEqual(new Set(['other']));
    expect(one.lints.every((l) => l.clientId === 'other')).toBe(true);
  });

  it('prints one line per request with its lints under it', async () => {
    const res = await cli(data, ['logs', '--client', 'web']);
    expect(res.exitCode, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/#\d+ f\d+ GET {2}\/auth 302 client=web response_type=code/);
    expect(res.stdout).toContain('! missing-state: The authorization request has no state');
    expect(res.stderr).toMatch(/request\(s\) in \d+ flow\(s\), \d+ lint\(s\)/);
  });

  it('--follow --json prints new requests as they arrive, one per line', async () => {
    const proc = execa('node', [BIN, 'logs', '--follow', '--json', '--client', 'web', '--data', data], { reject: false, env: { NO_COLOR: '1' } });
    try {
      const before = (await op.inspector!.read()).last;
      const seen = new Promise<Step>((resolve) => {
        let out = '';
        proc.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          for (const line of out.split('\n').slice(0, -1)) {
            const step = JSON.parse(line) as Step;
            if (step.seq > before && step.endpoint === 'authorization') resolve(step);
          }
        });
      });
      // Give the command time to read what is recorded already, then make a new request.
      await new Promise((r) => setTimeout(r, 1500));
      await authorizeWithoutState(op);
      const step = await seen;
      expect(step.lints.map((l) => l.code)).toEqual(['missing-state']);
    } finally {
      proc.kill('SIGINT');
      await proc;
    }
  });
});

describe('dev-op logs without a server to ask', () => {
  it('says no server is running on the data file, exit 1', async () => {
    const tmp = await tempDir();
    try {
      expectUsageError(await cli(join(tmp.path, 'db.json'), ['logs']), /no dev-op server is running on .*db\.json: the flow inspector records in a running server's memory/);
    } finally {
      await tmp.cleanup();
    }
  });

  it('says the inspector is off when the server runs with it disabled, exit 1', async () => {
    const tmp = await tempDir();
    const op = await startDevOp({ port: 0, host: '127.0.0.1', data: join(tmp.path, 'db.json'), log: 'none', features: { inspector: { enabled: false } } });
    try {
      expect(op.inspector).toBeUndefined();
      expectUsageError(await cli(join(tmp.path, 'db.json'), ['logs', '--json']), 'the flow inspector is off on this server');
    } finally {
      await op.stop();
      await tmp.cleanup();
    }
  });
});
