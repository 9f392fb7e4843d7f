import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, startDevOp, type DevOp } from '../../src/index.js';

let one: DevOp;
let two: DevOp;
beforeAll(async () => {
  [one, two] = await Promise.all([
    startDevOp({ port: 0, host: '127.0.0.1', memory: true }),
    startDevOp({ port: 0, host: '127.0.0.1', memory: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([one.stop(), two.stop()]);
});

const userinfo = (op: DevOp, token: string) => fetch(`http://127.0.0.1:${op.port}/me`, { headers: { authorization: `Bearer ${token}` } });

describe('two instances in one process', () => {
  it('have their own keys: a token of one is rejected by the other', async () => {
    await Promise.all([one.keysReady, two.keysReady]);
    const [k1, k2] = [await one.keys.list(), await two.keys.list()];
    expect(k1.map((k) => k.kid)).not.toEqual(expect.arrayContaining(k2.map((k) => k.kid)));
    const { tokens } = await one.loginAs('alice', { client: 'app', exchange: true });
    expect((await userinfo(one, tokens!.access_token)).status).toBe(200);
    expect((await userinfo(two, tokens!.access_token)).status).toBe(401);
  });

  it('have their own clients, users and clocks', async () => {
    await one.clients.add({ client_id: 'only-one', grant_types: ['client_credentials'] });
    await one.users.add({ username: 'only-one' });
    await expect(two.clients.get('only-one')).rejects.toBeInstanceOf(NotFoundError);
    await expect(two.users.get('only-one')).rejects.toBeInstanceOf(NotFoundError);
    await expect(two.loginAs('alice', { client: 'only-one' })).rejects.toBeInstanceOf(NotFoundError);
    one.clock.advance('1d');
    expect(two.clock.now()).toBeLessThan(one.clock.now() - 86_000_000);
  });

  it('stopping one leaves the other serving', async () => {
    const three = await startDevOp({ port: 0, host: '127.0.0.1', memory: true });
    await three.stop();
    await expect(fetch(`http://127.0.0.1:${three.port}/jwks`)).rejects.toThrow();
    expect((await fetch(`http://127.0.0.1:${two.port}/jwks`)).status).toBe(200);
    const r = await two.loginAs('alice', { client: 'app', exchange: true });
    expect((await userinfo(two, r.tokens!.access_token)).status).toBe(200);
  });
});
