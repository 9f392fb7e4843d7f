import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BIN, serverForSuite, startCli } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError, project } from './support.js';

const exists = (path: string) => access(path).then(() => true, () => false);
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function clientCredentials(issuer: string, id: string, secret: string): Promise<number> {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(id, secret) },
    body: 'grant_type=client_credentials',
  });
  return res.status;
}

describe('dev-op issuer on a data file (no server)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('adds a seeded issuer file, keeps -i clients apart, and the next start serves it', async () => {
    const { dir, data, cleanup } = await project();
    cleanups.push(cleanup);
    const add = await cli(data, ['issuer', 'add', 'tenant-a']);
    expect(add.exitCode, add.stderr).toBe(0);
    expect(add.stderr + add.stdout).toMatch(/seeded like a fresh data file: signing key .*client app, user alice/);
    const file = join(dir, 'db.issuers', 'tenant-a.json');
    expect(await exists(file)).toBe(true);

    const added = await cli(data, ['client', 'add', '--id', 'svc', '--secret', 'svc-secret', '--grant', 'client_credentials', '-i', 'tenant-a']);
    expect(added.exitCode, added.stderr).toBe(0);
    const tenantClients = await cliJson<{ client_id: string }[]>(data, ['client', 'list', '--issuer-name', 'tenant-a']);
    const defaultClients = await cliJson<{ client_id: string }[]>(data, ['client', 'list']);
    expect(tenantClients.map((c) => c.client_id)).toContain('svc');
    expect(defaultClients.map((c) => c.client_id)).not.toContain('svc');
    expect(await cliJson(data, ['issuer', 'list'])).toEqual([{ name: 'tenant-a' }]);

    const started = await startCli(['--data', data]);
    try {
      const tenant = `${started.ready.issuer}/tenant-a`;
      expect((started.ready as unknown as { issuers: unknown }).issuers).toEqual([{ name: 'tenant-a', issuer: tenant }]);
      const doc = await (await fetch(`${tenant}/.well-known/openid-configuration`)).json() as Record<string, string>;
      expect(doc.issuer).toBe(tenant);
      expect(doc.token_endpoint).toBe(`${tenant}/token`);
      expect(await clientCredentials(tenant, 'svc', 'svc-secret')).toBe(200);
      expect(await clientCredentials(started.ready.issuer, 'svc', 'svc-secret')).toBe(401);
    } finally {
      started.proc.kill('SIGTERM');
      await started.proc;
    }

    const removed = await cli(data, ['issuer', 'remove', 'tenant-a']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.stdout + removed.stderr).toMatch(/removed issuer tenant-a .*no longer served.*deleted/);
    expect(await exists(file)).toBe(false);
  });

  it('lists the named issuers in the start banner', async () => {
    const { data, cleanup } = await project();
    cleanups.push(cleanup);
    expect((await cli(data, ['issuer', 'add', 'tenant-b'])).exitCode).toBe(0);
    const proc = execa('node', [BIN, 'start', '--port', '0', '--data', data, '--quiet'], { reject: false, env: { NO_COLOR: '1' } });
    let out = '';
    await new Promise<void>((resolve) => proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Ctrl+C')) resolve();
    }));
    proc.kill('SIGTERM');
    await proc;
    expect(out).toMatch(/Issuers\s+http:\/\/localhost:\d+\/tenant-b\s+\(-i tenant-b\)/);
  });

  it('refuses bad names, the default issuer, and an unknown -i with one clear line', async () => {
    const { data, cleanup } = await project();
    cleanups.push(cleanup);
    expectUsageError(await cli(data, ['issuer', 'add', 'Tenant_A']), /lowercase letters, digits/);
    expectUsageError(await cli(data, ['issuer', 'add', 'auth']), /OP's own \/auth route/);
    expectUsageError(await cli(data, ['issuer', 'add', '_admin']), /not allowed/);
    expectUsageError(await cli(data, ['issuer', 'remove', 'default']), /default issuer .* cannot be added or removed/);
    expectUsageError(await cli(data, ['issuer', 'remove', 'nope']), /no issuer nope/);
    expectUsageError(await cli(data, ['user', 'list', '-i', 'nope']), /no issuer nope .*dev-op issuer add nope/);
  });
});

describe('dev-op issuer against a running server', () => {
  const op = serverForSuite();

  it('adds an issuer live, takes -i commands through it, and remove stops serving it (404)', async () => {
    const add = await cli(op.data, ['issuer', 'add', 'tenant-a']);
    expect(add.exitCode, add.stderr).toBe(0);
    const tenant = `${op.issuer}/tenant-a`;
    expect(add.stdout + add.stderr).toContain(`added issuer tenant-a at ${tenant} (the running server, at once)`);
    expect((await fetch(`${tenant}/.well-known/openid-configuration`)).status).toBe(200);

    const added = await cli(op.data, ['client', 'add', '--id', 'svc', '--secret', 'svc-secret', '--grant', 'client_credentials', '-i', 'tenant-a']);
    expect(added.exitCode, added.stderr).toBe(0);
    // Live at the tenant, unknown at the default issuer.
    expect(await clientCredentials(tenant, 'svc', 'svc-secret')).toBe(200);
    expect(await clientCredentials(op.issuer, 'svc', 'svc-secret')).toBe(401);
    expect(await cliJson(op.data, ['issuer', 'list'])).toEqual([{ name: 'tenant-a', issuer: tenant }]);
    expect((await cli(op.data, ['issuer', 'list'])).stdout).toBe(`tenant-a\t${tenant}`);

    const minted = await cliJson<{ claims: { iss: string } }>(op.data, ['token', 'mint', '--user', 'alice', '-i', 'tenant-a']);
    expect(minted.claims.iss).toBe(tenant);

    const removed = await cli(op.data, ['issuer', 'remove', 'tenant-a']);
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect((await fetch(`${tenant}/.well-known/openid-configuration`)).status).toBe(404);
    expect(await exists(join(op.dir, 'db.issuers', 'tenant-a.json'))).toBe(false);
    expect((await fetch(`${op.issuer}/.well-known/openid-configuration`)).status).toBe(200);
  });
});
