import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, expectUsageError, project } from './support.js';

interface KeyView { kid: string; alg: string; createdAt: string; active: boolean }

describe('dev-op jwks', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
  });
  afterAll(() => p.cleanup());

  it('lists, rotates (older keys kept for verification), exports public keys, and retires', async () => {
    const [first] = await cliJson<KeyView[]>(p.data, ['jwks', 'list']);
    expect(first).toMatchObject({ alg: 'RS256', active: true });

    const rotated = await cliJson<{ key: KeyView; retired: string[] }>(p.data, ['jwks', 'rotate', '--alg', 'ES256']);
    expect(rotated).toMatchObject({ key: { alg: 'ES256', active: true }, retired: [] });
    const listed = await cli(p.data, ['jwks', 'list']);
    expect(listed.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^${rotated.key.kid}\tES256\t.+\tsigns access tokens; ID tokens$`)),
      expect.stringMatching(new RegExp(`^${first!.kid}\tRS256\t.+\tverify only$`)),
    ]);

    // export prints the JWK Set as JSON without --json, public members only.
    const exported = await cli(p.data, ['jwks', 'export']);
    const jwks = JSON.parse(exported.stdout) as { keys: Record<string, string>[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotated.key.kid, first!.kid]);
    for (const key of jwks.keys) for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);

    // Without --alg the new key keeps the current algorithm; --retire drops every older key.
    const retired = await cliJson<{ key: KeyView; retired: string[] }>(p.data, ['jwks', 'rotate', '--retire']);
    expect(retired.key.alg).toBe('ES256');
    expect(retired.retired.sort()).toEqual([rotated.key.kid, first!.kid].sort());
    expect((await cliJson<KeyView[]>(p.data, ['jwks', 'list'])).map((k) => k.kid)).toEqual([retired.key.kid]);
  });

  it('refuses an unknown algorithm', async () => {
    expectUsageError(await cli(p.data, ['jwks', 'rotate', '--alg', 'HS256']), "'--alg <alg>' argument 'HS256' is invalid");
  });
});
