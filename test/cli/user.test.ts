import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, expectUsageError, project, readData } from './support.js';

describe.concurrent('dev-op user', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
  });
  afterAll(() => p.cleanup());

  it('adds a user with password, email, name and typed --claim values', async () => {
    const user = await cliJson(p.data, [
      'user', 'add', 'liddell', '--password', 'pw-liddell', '--email', 'alice@example.com', '--name', 'Alice Liddell',
      '--claim', 'groups=admin', '--claim', 'locale=en', '--claim', 'age=42', '--claim', 'roles=["a","b"]',
      '--claim', 'admin=true', '--claim', 'zip=01234', '--claim', 'note=a=b',
    ]);
    expect(user).toEqual({
      username: 'liddell', sub: 'liddell', has_password: true,
      claims: {
        preferred_username: 'liddell', name: 'Alice Liddell', email: 'alice@example.com', email_verified: true,
        groups: 'admin', locale: 'en', age: 42, roles: ['a', 'b'], admin: true, zip: '01234', note: 'a=b',
      },
    });
    // The password is never printed, and the file keeps only a hash of it.
    const stored = (await readData(p.data)).users.find((u: { username: string }) => u.username === 'liddell');
    expect(stored.password).toMatch(/^scrypt\$/);
    expect(JSON.stringify(user)).not.toContain('pw-liddell');
  });

  it('prints the new user as tab-separated fields in a pipe; --sub sets the subject', async () => {
    const result = await cli(p.data, ['user', 'add', 'carol', '--sub', 'carol-0001', '--claim', 'groups=["dev","ops"]']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^username\tcarol$/m);
    expect(result.stdout).toMatch(/^sub\tcarol-0001$/m);
    expect(result.stdout).toMatch(/^groups\t\["dev","ops"\]$/m);
    expect(result.stderr).toContain('user carol added');
  });

  it('lists, shows and removes users', async () => {
    await cliJson(p.data, ['user', 'add', 'dave', '--email', 'dave@example.com']);
    const list = await cli(p.data, ['user', 'list']);
    expect(list.stdout).toMatch(/^alice\talice\tno\tAlice Example\talice@example.com$/m);
    expect(list.stdout).toMatch(/^dave\tdave\tno\t\tdave@example.com$/m);
    const json = await cliJson<{ username: string }[]>(p.data, ['user', 'list']);
    expect(json.map((u) => u.username)).toEqual(expect.arrayContaining(['alice', 'dave']));
    expect(json.every((u) => !('password' in u))).toBe(true);
    expect(await cliJson(p.data, ['user', 'show', 'dave'])).toMatchObject({ username: 'dave', claims: { email: 'dave@example.com' } });
    expect(await cliJson(p.data, ['user', 'remove', 'dave'])).toEqual({ removed: 'dave' });
    expectUsageError(await cli(p.data, ['user', 'show', 'dave']), 'user dave does not exist');
  });

  it.each([
    [['user', 'add'], 'missing USERNAME'],
    [['user', 'add', 'alice'], 'user alice already exists'],
    [['user', 'add', 'erin', '--claim', 'novalue'], '--claim novalue must be key=value'],
    [['user', 'add', 'erin', '--claim', '=x'], 'must be key=value'],
    [['user', 'add', 'erin', '--claim', 'sub=other'], 'set the subject with --sub'],
    [['user', 'add', 'erin', '--claim', 'x={"a":'], '--claim x: {"a": looks like JSON but does not parse'],
    [['user', 'add', 'erin', '--claim', 'x=["a",'], 'looks like JSON but does not parse'],
    [['user', 'add', 'erin', '--claim', 'x="unterminated'], 'looks like JSON but does not parse'],
    [['user', 'add', 'erin', '--sub', 'alice'], 'sub alice already exists'],
    [['user', 'remove', 'nobody'], 'user nobody does not exist'],
    [['user', 'show'], 'missing USERNAME'],
  ])('refuses %j: %s', async (args, message) => {
    expectUsageError(await cli(p.data, args), message);
  });
});
