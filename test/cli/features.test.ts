import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, devOp, startCli, tempDir } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError, project } from './support.js';

async function discovery(issuer: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
}

/** `dev-op start --json` in `cwd` (so its dev-op.config.json applies), until the ready line. */
async function startIn(cwd: string, args: string[]) {
  const proc = execa('node', [BIN, 'start', '--json', '--port', '0', '--quiet', '--memory', ...args], { cwd, reject: false, env: { NO_COLOR: '1' } });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    proc.then((r) => reject(new Error(`dev-op start exited ${r.exitCode}: ${r.stderr}`)), reject);
  });
  return { proc, issuer: (JSON.parse(line) as { issuer: string }).issuer };
}

describe('dev-op start --disable FEATURE', () => {
  let started: Awaited<ReturnType<typeof startCli>> | undefined;
  afterEach(async () => {
    started?.proc.kill('SIGTERM');
    await started?.proc;
    started = undefined;
  });

  it('--disable par: discovery has no PAR endpoint and /request is 404; --disable is repeatable', async () => {
    started = await startCli(['--memory', '--disable', 'par', '--disable', 'request-objects']);
    const doc = await discovery(started.ready.issuer);
    expect(doc).not.toHaveProperty('pushed_authorization_request_endpoint');
    expect(doc.request_parameter_supported).toBe(false);
    const res = await fetch(`${started.ready.issuer}/request`, { method: 'POST', body: new URLSearchParams({ client_id: 'x' }) });
    expect(res.status).toBe(404);
  });

  it('--require-par and --allow-unsigned-request-objects tighten and loosen what discovery says', async () => {
    started = await startCli(['--memory', '--require-par', '--allow-unsigned-request-objects']);
    const doc = await discovery(started.ready.issuer);
    expect(doc.pushed_authorization_request_endpoint).toBe(`${started.ready.issuer}/request`);
    expect(doc.require_pushed_authorization_requests).toBe(true);
    expect(doc.request_object_signing_alg_values_supported).toContain('none');
  });

  it('an unknown feature name → exit 1 with one line naming it, the closest name and the known ones', async () => {
    const result = await devOp(['start', '--memory', '--port', '0', '--json', '--disable', 'parr']);
    expectUsageError(result, /--disable: unknown feature "parr".*par.*known: par, request-objects/);
  });
});

describe('dev-op.config.json "disable"', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('"disable": ["par"] switches PAR off', async () => {
    await writeFile(join(dir.path, 'dev-op.config.json'), JSON.stringify({ disable: ['par'] }));
    const { proc, issuer } = await startIn(dir.path, []);
    try {
      expect(await discovery(issuer)).not.toHaveProperty('pushed_authorization_request_endpoint');
      expect((await fetch(`${issuer}/request`, { method: 'POST' })).status).toBe(404);
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
  });

  it('an unknown name or a value that is not a list → exit 1 naming the file and the key', async () => {
    const file = join(dir.path, 'dev-op.config.json');
    await writeFile(file, JSON.stringify({ disable: ['pra'] }));
    const unknown = await execa('node', [BIN, 'start', '--memory', '--port', '0', '--json'], { cwd: dir.path, reject: false, env: { NO_COLOR: '1' } });
    expectUsageError(unknown, `${file}: disable: unknown feature "pra"`);
    await writeFile(file, JSON.stringify({ disable: 'par' }));
    const notList = await execa('node', [BIN, 'start', '--memory', '--port', '0', '--json'], { cwd: dir.path, reject: false, env: { NO_COLOR: '1' } });
    expectUsageError(notList, `${file}: disable: must be a list of names`);
  });
});

describe('client add/update --require-par --request-object-alg', () => {
  let proj: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    proj = await project();
  });
  afterAll(() => proj.cleanup());

  it('registers require_pushed_authorization_requests and request_object_signing_alg; update keeps them, --no-require-par drops it', async () => {
    const added = await cliJson(proj.data, [
      'client', 'add', '--id', 'par-app', '--redirect-uri', 'http://localhost:3000/cb', '--require-par', '--request-object-alg', 'ES256',
    ]);
    expect(added.client).toMatchObject({ require_pushed_authorization_requests: true, request_object_signing_alg: 'ES256' });
    const renamed = await cliJson(proj.data, ['client', 'update', 'par-app', '--name', 'PAR app']);
    expect(renamed.client).toMatchObject({ require_pushed_authorization_requests: true, request_object_signing_alg: 'ES256' });
    const relaxed = await cliJson(proj.data, ['client', 'update', 'par-app', '--no-require-par', '--request-object-alg', 'HS256']);
    expect(relaxed.client).not.toHaveProperty('require_pushed_authorization_requests');
    expect(relaxed.client.request_object_signing_alg).toBe('HS256');
  });

  it('an unknown --request-object-alg → exit 1 listing the algs', async () => {
    const result = await cli(proj.data, ['client', 'add', '--id', 'bad-alg', '--redirect-uri', 'http://localhost:3000/cb', '--request-object-alg', 'HS1']);
    expectUsageError(result, /--request-object-alg must be one of RS256,.*HS256.*none/);
  });
});
