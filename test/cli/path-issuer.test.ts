import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { cli } from './support.js';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

describe('dev-op start --issuer http://127.0.0.1:<port>/tenant-a', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let server: Awaited<ReturnType<typeof startCli>>;
  let issuer: string;

  beforeAll(async () => {
    tmp = await tempDir();
    data = join(tmp.path, 'db.json');
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/tenant-a`;
    server = await startCli(['--data', data, '--port', String(port), '--issuer', issuer]);
  });
  afterAll(async () => {
    server.proc.kill('SIGTERM');
    await server.proc;
    await tmp.cleanup();
  });

  it('takes management commands through the admin endpoint under the issuer path, live', async () => {
    expect(server.ready.issuer).toBe(issuer);
    const add = await cli(data, ['client', 'add', '--id', 'svc', '--secret', 'svc-secret', '--grant', 'client_credentials']);
    expect(add.exitCode, add.stderr).toBe(0);
    // The running server knows the client at once: the change went through it, not around it.
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
  });
});
