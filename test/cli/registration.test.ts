import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError, project, readData } from './support.js';

const register = (issuer: string, token?: string): Promise<Response> => fetch(`${issuer}/reg`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify({ redirect_uris: ['http://localhost:3000/cb'], client_name: 'Self-registered' }),
});

describe.concurrent('dev-op registration token', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
  });
  afterAll(() => p.cleanup());

  it('mints an initial access token on the data file: the token alone on stdout, only its hash stored', async () => {
    const plain = await cli(p.data, ['registration', 'token']);
    expect(plain.exitCode, plain.stderr).toBe(0);
    const token = plain.stdout.trim();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const json = await cliJson<{ token: string; expires_at: number }>(p.data, ['registration', 'token', '--ttl', '1h']);
    expect(json.expires_at - Math.floor(Date.now() / 1000)).toBeGreaterThan(3590);
    expect(json.expires_at - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(3600);
    const file = JSON.stringify(await readData(p.data));
    expect(file).not.toContain(token);
    expect(file).not.toContain(json.token);
    expect(Object.keys((await readData(p.data)).state.InitialAccessToken)).toHaveLength(2);
  });

  it('refuses a bad --ttl with a one-line error', async () => {
    expectUsageError(await cli(p.data, ['registration', 'token', '--ttl', 'soon']), '--ttl soon is not a lifetime');
  });

  it('has --help with examples', async () => {
    const help = await cli(p.data, ['registration', 'token', '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('--ttl');
    expect(help.stdout).toContain('Examples:');
  });
});

describe('registration through a running server started with --registration-token-required', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: Awaited<ReturnType<typeof startCli>>;
  let data: string;
  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    server = await startCli(['--data', data, '--registration-token-required']);
  });
  afterAll(async () => {
    server.proc.kill('SIGTERM');
    await server.proc;
    await dir.cleanup();
  });

  it('needs a minted token (applied live); the registered client shows in client list and show', async () => {
    expect((await register(server.ready.issuer)).status).toBe(401);
    const token = (await cli(data, ['registration', 'token', '--ttl', '10m'])).stdout.trim();
    expect((await register(server.ready.issuer, 'wrong')).status).toBe(401);
    const res = await register(server.ready.issuer, token);
    expect(res.status).toBe(201);
    const { client_id: id } = (await res.json()) as { client_id: string };

    const list = await cli(data, ['client', 'list']);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\tconfidential \\(registered dynamically\\)\\t`, 'm'));
    expect(list.stdout).toMatch(/^app\tconfidential\t/m);
    const shown = await cli(data, ['client', 'show', id]);
    expect(shown.stdout).toMatch(/^registered\tdynamically at \d{4}-/m);
    // An update from the CLI keeps it registered (its registration access token keeps working).
    await cliJson(data, ['client', 'update', id, '--name', 'Renamed']);
    expect((await cliJson<{ registration_access_token_hash?: string }>(data, ['client', 'show', id])).registration_access_token_hash).toBeTruthy();
  });
});

describe.concurrent('client add/update --subject-type, --sector-identifier-uri', () => {
  let p: Awaited<ReturnType<typeof project>>;
  let sectors: Server;
  let sectorUri: string;
  beforeAll(async () => {
    p = await project();
    sectors = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(['http://localhost:3000/cb', 'http://app.localhost:3000/cb']));
    });
    await new Promise<void>((resolve) => sectors.listen(0, '127.0.0.1', resolve));
    sectorUri = `http://127.0.0.1:${(sectors.address() as AddressInfo).port}/sector.json`;
  });
  afterAll(async () => {
    await new Promise((resolve) => sectors.close(resolve));
    await p.cleanup();
  });

  it('adds a pairwise client and switches it back to public', async () => {
    const { client } = await cliJson(p.data, ['client', 'add', '--id', 'pw', '--redirect-uri', 'http://localhost:3000/cb', '--subject-type', 'pairwise']);
    expect(client.subject_type).toBe('pairwise');
    const shown = await cli(p.data, ['client', 'show', 'pw']);
    expect(shown.stdout).toMatch(/^subject_type\tpairwise$/m);
    const { client: updated } = await cliJson(p.data, ['client', 'update', 'pw', '--subject-type', 'public']);
    expect(updated.subject_type).toBeUndefined();
  });

  it('needs --sector-identifier-uri for redirect URIs on several hosts, and checks what it lists', async () => {
    const twoHosts = ['--redirect-uri', 'http://localhost:3000/cb', '--redirect-uri', 'http://app.localhost:3000/cb'];
    expectUsageError(await cli(p.data, ['client', 'add', '--id', 'pw2', ...twoHosts, '--subject-type', 'pairwise']), 'needs --sector-identifier-uri');
    const { client } = await cliJson(p.data, ['client', 'add', '--id', 'pw2', ...twoHosts, '--subject-type', 'pairwise', '--sector-identifier-uri', sectorUri]);
    expect(client.sector_identifier_uri).toBe(sectorUri);
    expectUsageError(
      await cli(p.data, ['client', 'update', 'pw2', '--add-redirect-uri', 'http://localhost:3000/other']),
      'does not list the redirect URI http://localhost:3000/other',
    );
    expect((await cliJson(p.data, ['client', 'show', 'pw2'])).redirect_uris).toHaveLength(2);
    expectUsageError(await cli(p.data, ['client', 'add', '--id', 'pw3', '--redirect-uri', 'http://localhost:3000/cb', '--subject-type', 'secret']), '--subject-type');
  });
});
