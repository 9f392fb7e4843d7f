import { describe, expect, it } from 'vitest';
import type { KeyChangeResult, KeyView, RotateResult } from '../../src/admin/keys.js';
import { serverForSuite } from '../helpers/cli.js';
import { cli, cliJson, decode, expectUsageError, project } from './support.js';

/** `dev-op jwks rotate --publish-only | activate | retire` through a running server, live. */
describe('key-rotation drills with dev-op start running', () => {
  const op = serverForSuite();
  const jwksKids = async () => ((await (await fetch(`${op.issuer}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  const mintedKid = async () => decode((await cliJson<{ token: string }>(op.data, ['token', 'mint', '--user', 'alice'])).token).header.kid as string;

  it('publish-only, activate, retire: /jwks and the signing kid follow each step; jwks list shows the states', async () => {
    const old = (await cliJson<KeyView[]>(op.data, ['jwks', 'list']))[0]!.kid;
    const published = await cli(op.data, ['jwks', 'rotate', '--publish-only']);
    expect(published.exitCode, published.stderr).toBe(0);
    expect(published.stderr).toContain('signs nothing yet: `dev-op jwks activate');
    const next = (await cliJson<KeyView[]>(op.data, ['jwks', 'list'])).find((k) => k.kid !== old)!.kid;
    expect(await jwksKids()).toEqual([next, old]);
    expect(await mintedKid()).toBe(old);
    const table = await cli(op.data, ['jwks', 'list']);
    expect(table.stdout).toMatch(new RegExp(`${next}\\t\\S+\\t\\S+\\tnext\\tin the JWKS, signs nothing`));
    expect(table.stdout).toMatch(new RegExp(`${old}\\t\\S+\\t\\S+\\tactive\\tsigns access tokens`));

    expect(await cliJson<KeyChangeResult>(op.data, ['jwks', 'activate', next])).toMatchObject({ changed: true, key: { kid: next, state: 'active' } });
    expect(await mintedKid()).toBe(next);
    expect(await jwksKids()).toEqual([next, old]);

    const retired = await cli(op.data, ['jwks', 'retire', old]);
    expect(retired.exitCode, retired.stderr).toBe(0);
    expect(retired.stderr).toContain(`key ${old} retired`);
    expect(await jwksKids()).toEqual([next]);
    expect((await cliJson<KeyView[]>(op.data, ['jwks', 'list'])).map((k) => [k.kid, k.state])).toEqual([[next, 'active'], [old, 'retired']]);
    expect((await cliJson<{ keys: { kid: string }[] }>(op.data, ['jwks', 'export'])).keys.map((k) => k.kid)).toEqual([next]);
  });

  it('refuses to retire the signing key with a clear one-line message', async () => {
    const active = (await cliJson<KeyView[]>(op.data, ['jwks', 'list'])).find((k) => k.state === 'active')!.kid;
    expectUsageError(await cli(op.data, ['jwks', 'retire', active]), `key ${active} is the only signing key`);
    expectUsageError(await cli(op.data, ['jwks', 'activate', 'nope']), 'no signing key nope');
    expect((await cliJson<KeyView[]>(op.data, ['jwks', 'list'])).find((k) => k.kid === active)!.state).toBe('active');
  });
});

describe('key-rotation drills with no server: on the data file', () => {
  it('rotate --publish-only, then activate, change the file for the next start', async () => {
    const p = await project();
    try {
      const rotated = await cliJson<RotateResult>(p.data, ['jwks', 'rotate', '--publish-only']);
      expect(rotated.key.state).toBe('next');
      const activated = await cli(p.data, ['jwks', 'activate', rotated.key.kid]);
      expect(activated.stderr).toContain('from the next start on');
      expect((await cliJson<KeyView[]>(p.data, ['jwks', 'list'])).find((k) => k.kid === rotated.key.kid)!.state).toBe('active');
    } finally {
      await p.cleanup();
    }
  });
});
