import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError, startDevOp, type DevOp } from '../../src/index.js';

let op: DevOp;
beforeAll(async () => {
  op = await startDevOp({ port: 0, host: '127.0.0.1', memory: true });
});
afterAll(async () => {
  await op.stop();
});

const userinfo = (token: string) => fetch(`http://127.0.0.1:${op.port}/me`, { headers: { authorization: `Bearer ${token}` } });

describe('op.clock', () => {
  it('follows the system clock until moved', () => {
    expect(Math.abs(op.clock.now() - Date.now())).toBeLessThan(1000);
  });

  it('advance makes an access token expire at /me without waiting', async () => {
    const { tokens } = await op.loginAs('alice', { client: 'app', exchange: true });
    const token = tokens!.access_token;
    expect((await userinfo(token)).status).toBe(200);
    op.clock.advance('59m');
    expect((await userinfo(token)).status).toBe(200);
    op.clock.advance('2m');
    const expired = await userinfo(token);
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('set pins the clock; tokens minted then say so', async () => {
    const at = new Date('2031-02-03T04:05:06Z');
    op.clock.set(at);
    expect(op.clock.now()).toBe(at.getTime());
    const minted = await op.tokens.mint({ user: 'alice', client: 'app' });
    expect(minted.claims?.iat).toBe(at.getTime() / 1000);
    op.clock.advance(1500);
    expect(op.clock.now()).toBe(at.getTime() + 1500);
    expect(() => op.clock.advance('soon')).toThrow(UsageError);
  });
});
