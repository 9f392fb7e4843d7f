import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { cli, cliJson } from './support.js';

/** What a newcomer types first, on a data file that does not exist yet (README's own examples). */
describe('dev-op on a fresh data file', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let data: string;
  beforeEach(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
  });
  afterEach(() => dir.cleanup());

  it('user add alice --password pw adds that alice (no default user in the way), and start then serves her beside the default client', async () => {
    const added = await cli(data, ['user', 'add', 'alice', '--password', 'pw']);
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.stderr).toContain('user alice added');
    expect(added.stderr).toContain('default client app');
    expect(added.stderr).not.toContain('default user');
    const users = await cliJson<{ username: string; has_password: boolean }[]>(data, ['user', 'list']);
    expect(users.map((u) => [u.username, u.has_password])).toEqual([['alice', true]]);

    const { proc } = await startCli(['--data', data]);
    try {
      const live = await cliJson<{ username: string; has_password: boolean }[]>(data, ['user', 'list']);
      expect(live.map((u) => [u.username, u.has_password])).toEqual([['alice', true]]);
      expect((await cliJson<{ client_id: string }[]>(data, ['client', 'list'])).map((c) => c.client_id)).toEqual(['app']);
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
  });

  it('client add --id app adds that app (no default client in the way); the default user is still there', async () => {
    const client = await cliJson<{ client: { client_id: string; redirect_uris: string[] } }>(data, [
      'client', 'add', '--id', 'app', '--redirect-uri', 'http://localhost:8080/cb',
    ]);
    expect(client.client).toMatchObject({ client_id: 'app', redirect_uris: ['http://localhost:8080/cb'] });
    const clients = await cliJson<{ client_id: string; redirect_uris: string[] }[]>(data, ['client', 'list']);
    expect(clients.map((c) => [c.client_id, c.redirect_uris])).toEqual([['app', ['http://localhost:8080/cb']]]);
    expect((await cliJson<{ username: string }[]>(data, ['user', 'list'])).map((u) => u.username)).toEqual(['alice']);
  });

  it('user add bob and client add --id web name no default: both defaults are created beside them, as start would', async () => {
    expect((await cli(data, ['user', 'add', 'bob'])).exitCode).toBe(0);
    expect((await cliJson<{ username: string }[]>(data, ['user', 'list'])).map((u) => u.username)).toEqual(['alice', 'bob']);
    const other = join(dir.path, 'other.json');
    expect((await cli(other, ['client', 'add', '--id', 'web', '--redirect-uri', 'http://localhost:3000/cb'])).exitCode).toBe(0);
    expect((await cliJson<{ client_id: string }[]>(other, ['client', 'list'])).map((c) => c.client_id)).toEqual(['app', 'web']);
  });

  it('any other first command still creates both defaults, as start would', async () => {
    const minted = await cli(data, ['token', 'mint', '--user', 'alice']);
    expect(minted.exitCode, minted.stderr).toBe(0);
    expect(minted.stderr).toContain('default client app, default user alice');
  });
});
