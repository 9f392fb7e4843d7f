import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

/** startDevOp({ deterministic }): the programmatic side of `dev-op start --deterministic`. */
const svc = confidentialClient({ client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], redirect_uris: [], response_types: [] });
const TIME = '2031-05-01T12:00:00Z';

async function clientCredentials(server: DevOp): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  expect(res.status).toBe(200);
  const [header, payload] = ((await res.json()) as { access_token: string }).access_token.split('.').slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
  return { header: header!, payload: payload! };
}

describe('deterministic mode in the programmatic API', () => {
  let servers: DevOp[];
  beforeAll(async () => {
    servers = await Promise.all([0, 1].map(() => startTestOp({ issuer: 'http://localhost:4000', deterministic: { seed: 'snap', time: TIME } })));
    for (const server of servers) await server.store.addClient(svc);
  });
  afterAll(() => Promise.all(servers.map((s) => s.stop())));

  it('two instances in one process with one seed agree; the clock stands still', async () => {
    const [one, two] = [await clientCredentials(servers[0]!), await clientCredentials(servers[1]!)];
    expect(two).toEqual(one);
    expect(one.header.alg).toBe('EdDSA');
    expect(one.payload.iat).toBe(Date.parse(TIME) / 1000);
    expect(one.payload.iss).toBe('http://localhost:4000');
    expect((await clientCredentials(servers[0]!)).payload.iat).toBe(Date.parse(TIME) / 1000);
    expect((await clientCredentials(servers[0]!)).payload.jti).not.toBe(one.payload.jti);
  });

  it('a start time that is not a date is refused with a clear error', async () => {
    await expect(startTestOp({ deterministic: { seed: 's', time: 'soon' } })).rejects.toThrow(ConfigError);
    await expect(startTestOp({ deterministic: { seed: 's', time: 'soon' } })).rejects.toThrow('deterministic.time soon is not a date');
  });
});
