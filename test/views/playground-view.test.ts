import { describe, expect, it } from 'vitest';
import { claimRows, present, relative } from '../../src/provider/playground/present.js';

describe('playground result view', () => {
  it('says how far a time is, in words', () => {
    expect(relative(1000, 1000)).toBe('now');
    expect(relative(1030, 1000)).toBe('in 30 s');
    expect(relative(1000 + 3600, 1000)).toBe('in 60 min');
    expect(relative(1000 - 7200, 1000)).toBe('2 h ago');
    expect(relative(1000 + 14 * 86400, 1000)).toBe('in 14 d');
  });

  it('shows strings as they are, other values as JSON, times with a UTC reading', () => {
    const rows = claimRows({ sub: 'alice', email_verified: true, groups: ['dev'], exp: 1_700_000_000 }, 1_700_000_000 - 60);
    expect(rows).toEqual([
      { name: 'sub', value: 'alice' },
      { name: 'email_verified', value: 'true' },
      { name: 'groups', value: '["dev"]' },
      { name: 'exp', value: '1700000000', time: '2023-11-14T22:13:20.000Z', note: '2023-11-14 22:13:20 UTC · in 60 s' },
    ]);
  });

  it('shows only the start of a refresh token, and the token endpoint error in words', () => {
    const ok = present({ token: { status: 200, body: { token_type: 'Bearer', expires_in: 3600, scope: 'openid', refresh_token: 'abcdefghijklmnop' } } }, 0);
    expect(JSON.stringify(ok)).not.toContain('abcdefghijklmnop');
    expect(ok.response).toContainEqual({ name: 'refresh_token', value: 'abcdefgh… (rotated on every use)' });
    const failed = present({ token: { status: 400, body: { error: 'invalid_grant', error_description: 'code already used' } } }, 0);
    expect(failed.tokenError).toMatchObject({ status: 400, error: 'invalid_grant', description: 'code already used' });
  });
});
