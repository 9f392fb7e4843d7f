import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devOp, tempDir } from '../helpers/cli.js';
import { onTerminal, readData } from './support.js';

/** A temporary folder for this test alone, removed when it ends (the test's own hook: tests run concurrently). */
async function freshDir(onTestFinished: (fn: () => Promise<void>) => void): Promise<string> {
  const dir = await tempDir();
  onTestFinished(() => dir.cleanup());
  return dir.path;
}

describe.concurrent('dev-op init', () => {
  it('without a terminal creates the defaults, says so and never asks; a second run changes nothing', async ({ onTestFinished }) => {
    const data = join(await freshDir(onTestFinished), 'nested', 'db.json');
    const first = await devOp(['init', '--data', data]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain('created the defaults (no terminal to ask questions on)');
    expect(first.stdout).toMatch(/^client_id\tapp$/m);
    expect(first.stdout).toMatch(/^client_secret\t[\w-]{43}$/m);
    expect((await stat(data)).mode & 0o777).toBe(0o600);
    const created = await readData(data);
    expect(created.keys).toHaveLength(1);
    expect(created.clients.map((c: { client_id: string }) => c.client_id)).toEqual(['app']);
    expect(created.users.map((u: { username: string }) => u.username)).toEqual(['alice']);

    const again = await devOp(['init', '--data', data, '--json']);
    expect(again.exitCode).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ location: data, created: {}, clients: 1, users: 1 });
    expect(await readData(data)).toEqual(created);
    const third = await devOp(['init', '--data', data]);
    expect(third.stderr).toContain('is set up already (1 client, 1 user); nothing to do');
  });

  it('--json reports what was created', async ({ onTestFinished }) => {
    const data = join(await freshDir(onTestFinished), 'db.json');
    const result = await devOp(['init', '--data', data, '--json']);
    expect(result.exitCode, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout);
    const secret = (await readData(data)).clients[0].client_secret as string;
    expect(out).toEqual({
      location: data, clients: 1, users: 1,
      created: {
        key: { alg: 'RS256', kid: expect.any(String) },
        // The client as `client show --json` prints it (with its new secret), not wrapped in another object.
        client: expect.objectContaining({ client_id: 'app', client_secret: secret, redirect_uris: ['http://localhost:3000/callback'] }),
        user: expect.objectContaining({ username: 'alice', sub: 'alice', has_password: false }),
      },
    });
  });

  it('on a terminal asks for the client and the user (inquirer) and creates exactly those', async ({ onTestFinished }) => {
    const data = join(await freshDir(onTestFinished), 'db.json');
    const result = await onTerminal(['init', '--data', data], [
      [/Client ID/, 'web\r'],
      [/Client type/, '\x1b[B\r'], // arrow down: public
      [/Redirect URI/, '\r'], // the default for a public client
      [/Username/, 'bob\r'],
      [/Password/, 'b0b\r'],
      [/Email/, '\r'],
    ]);
    expect(result.exitCode, String(result.stdout)).toBe(0);
    expect(result.answered).toBe(6);
    const created = await readData(data);
    expect(created.clients).toEqual([expect.objectContaining({
      client_id: 'web', token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:5173/callback'],
    })]);
    expect(created.users).toEqual([expect.objectContaining({ username: 'bob', claims: expect.objectContaining({ email: 'bob@example.com' }) })]);
    expect(created.users[0].password).toMatch(/^scrypt\$/);
  });

  it('Ctrl+C at a question exits 130 with one "cancelled" line, no stack trace, and creates nothing', async ({ onTestFinished }) => {
    const data = join(await freshDir(onTestFinished), 'db.json');
    const result = await onTerminal(['init', '--data', data], [[/Client ID/, '\x03']]);
    expect(result.answered).toBe(1);
    expect(result.exitCode, String(result.stdout)).toBe(130);
    expect(String(result.stdout)).toContain('dev-op: cancelled');
    expect(String(result.stdout)).not.toMatch(/\n\s+at |Error/);
    await expect(stat(data)).rejects.toThrow();
  });

  it('client add on a terminal asks for a missing redirect URI and re-asks after an invalid one', async ({ onTestFinished }) => {
    const data = join(await freshDir(onTestFinished), 'db.json');
    const result = await onTerminal(['client', 'add', '--id', 'tty', '--data', data], [
      [/Redirect URI/, 'http://localhost:3000/cb#frag\r'],
      [/must not contain a fragment/, '\x15http://localhost:9999/cb\r'], // ^U clears the line
    ]);
    expect(result.exitCode, String(result.stdout)).toBe(0);
    const client = (await readData(data)).clients.find((c: { client_id: string }) => c.client_id === 'tty');
    expect(client.redirect_uris).toEqual(['http://localhost:9999/cb']);
  });
});
