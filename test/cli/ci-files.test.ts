import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError, project } from './support.js';

/**
 * `dev-op start --ready-file / --env-file / --pid-file`: what a CI job reads instead of a banner.
 * Written (0600, whole) before the ready line; removed on a clean stop.
 */

/** `KEY=value` lines as a map (values here are bare). */
function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(text.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe('dev-op start --ready-file --env-file --pid-file', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeEach(async () => {
    p = await project();
  });
  afterEach(async () => {
    await p.cleanup();
  });

  it('writes the ready JSON with every endpoint, the env file with the clients, the pid file, all 0600; removes them on SIGTERM', async () => {
    await cliJson(p.data, ['client', 'add', '--id', 'svc-api', '--secret', 'svc-secret-1', '--grant', 'client_credentials']);
    const readyFile = join(p.dir, 'out', 'ready.json');
    const envFile = join(p.dir, 'out', '.env.oidc');
    const pidFile = join(p.dir, 'op.pid');
    // Node 20 reads a script's --env-file itself and exits if it is missing (nodejs/node#54232): an
    // empty one passes that; the detach test below uses DEV_OP_ENV_FILE, which needs no such care.
    await mkdir(join(p.dir, 'out'));
    await writeFile(envFile, '');
    const server = await startCli(['--data', p.data, '--ready-file', readyFile, '--env-file', envFile, '--pid-file', pidFile]);
    const { issuer, port, pid } = server.ready;
    try {
      const ready = JSON.parse(await readFile(readyFile, 'utf8'));
      const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
      const advertised = Object.fromEntries(Object.entries(discovery).filter(([k]) => k.endsWith('_endpoint') || k === 'jwks_uri'));
      expect(Object.keys(advertised).length).toBeGreaterThanOrEqual(8);
      expect(ready).toEqual({
        event: 'ready', issuer, discovery: `${issuer}/.well-known/openid-configuration`, endpoints: advertised,
        healthz: `${issuer}/healthz`, port, pid,
      });
      expect((await fetch(ready.healthz)).status).toBe(200);

      const env = parseEnv(await readFile(envFile, 'utf8'));
      const clients = await cliJson<{ client_id: string; client_secret?: string }[]>(p.data, ['client', 'list']);
      const app = clients.find((c) => c.client_id === 'app')!;
      expect(env).toEqual({
        OIDC_ISSUER: issuer,
        OIDC_CLIENT_ID: clients[0]!.client_id, OIDC_CLIENT_SECRET: clients[0]!.client_secret,
        OIDC_CLIENT_ID_APP: 'app', OIDC_CLIENT_SECRET_APP: app.client_secret,
        OIDC_CLIENT_ID_SVC_API: 'svc-api', OIDC_CLIENT_SECRET_SVC_API: 'svc-secret-1',
      });
      expect((await readFile(pidFile, 'utf8')).trim()).toBe(String(pid));
      for (const file of [readyFile, envFile, pidFile]) expect((await stat(file)).mode & 0o777, file).toBe(0o600);
    } finally {
      server.proc.kill('SIGTERM');
    }
    expect((await server.proc).exitCode).toBe(0);
    for (const file of [readyFile, envFile, pidFile]) await expect(stat(file), file).rejects.toThrow(/ENOENT/);
  });

  it('a ready file left by an earlier run is removed before the start, not mistaken for this one', async () => {
    const readyFile = join(p.dir, 'ready.json');
    await writeFile(readyFile, '{"event":"ready","issuer":"http://localhost:1","pid":1}');
    const server = await startCli(['--data', p.data, '--ready-file', readyFile]);
    try {
      expect(JSON.parse(await readFile(readyFile, 'utf8')).pid).toBe(server.ready.pid);
    } finally {
      server.proc.kill('SIGTERM');
      await server.proc;
    }
  });
});

describe('dev-op start --memory --ready-file', () => {
  it('is written once the background RSA key is made: /healthz then answers 200', async () => {
    const dir = await tempDir();
    const readyFile = join(dir.path, 'ready.json');
    const server = await startCli(['--memory', '--ready-file', readyFile]);
    try {
      const ready = JSON.parse(await readFile(readyFile, 'utf8'));
      const health = await fetch(ready.healthz);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
    } finally {
      server.proc.kill('SIGTERM');
      await server.proc;
      await dir.cleanup();
    }
  });
});

describe('dev-op start --ready-file in a place that cannot be written', () => {
  it('exit 1 with one line naming the path; the server stops (no owner file left), the data file intact', async () => {
    const p = await project();
    try {
      await writeFile(join(p.dir, 'not-a-folder'), '');
      const result = await cli(p.data, ['start', '--port', '0', '--json', '--ready-file', join(p.dir, 'not-a-folder', 'ready.json')]);
      expectUsageError(result, join(p.dir, 'not-a-folder'));
      await expect(stat(`${p.data}.owner.json`)).rejects.toThrow(/ENOENT/);
      expect(JSON.parse(await readFile(p.data, 'utf8')).clients).toBeTruthy();
    } finally {
      await p.cleanup();
    }
  });
});
