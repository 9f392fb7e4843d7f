import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { findPendingDevice, settleDevice } from '../../src/provider/device/approval.js';
import { deviceCodeGrant } from '../../src/provider/grants/device-code.js';
import type { SessionRecord } from '../../src/store/records.js';
import { rpConfig } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const tv = confidentialClient({
  client_id: 'tv', client_secret: undefined, token_endpoint_auth_method: 'none',
  redirect_uris: [], grant_types: [DEVICE_GRANT],
});

/**
 * Requests that change one device code at the same moment. Within one process the store's
 * operations interleave at every await, as a networked store's would: each request's read and
 * write of the record must be one step, or one request's change overwrites the other's.
 */
describe('device code changes racing each other', () => {
  let server: DevOp;
  let config: oidc.Configuration;

  beforeAll(async () => {
    server = await startTestOp();
    await server.store.addClient(tv);
    config = await rpConfig(server, tv);
  });
  afterAll(() => server.stop());

  const pollError = (deviceCode: string) =>
    deviceCodeGrant.handle(server.provider, { grant_type: DEVICE_GRANT, device_code: deviceCode }, tv).then(
      () => 'tokens',
      (err: { error?: string }) => err.error,
    );

  it('two polls at the same moment: one is pending, the other is told slow_down (RFC 8628 3.5)', async () => {
    const { device_code: deviceCode } = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const errors = await Promise.all([pollError(deviceCode), pollError(deviceCode)]);
    expect(errors.sort()).toEqual(['authorization_pending', 'slow_down']);
    expect((await server.store.get('DeviceCode', deviceCode))?.interval).toBe(10);
  });

  it('an approve racing a deny: exactly one wins, and the device hears that one', async () => {
    const { device_code: deviceCode, user_code: userCode } = await oidc.initiateDeviceAuthorization(config, { scope: 'openid' });
    const now = Math.floor(Date.now() / 1000);
    const session: SessionRecord = { accountId: 'alice', sid: 'sid-1', loginTs: now, amr: ['pwd'], grants: {}, exp: now + 600 };
    await server.store.put('Session', 'session-1', session);
    const device = (await findPendingDevice(server.provider, userCode))!;
    const outcomes = await Promise.allSettled([
      settleDevice(server.provider, device, { denied: true }),
      settleDevice(server.provider, device, { approvedBy: { id: 'session-1', record: session } }),
    ]);
    const won = outcomes.map((o) => o.status === 'fulfilled');
    expect(won.filter(Boolean)).toHaveLength(1);
    const loser = outcomes.find((o) => o.status === 'rejected');
    expect(String(loser?.reason)).toMatch(/already used/);
    expect(await pollError(deviceCode)).toBe(won[0] ? 'access_denied' : 'tokens');
  });
});

describe('consents racing each other', () => {
  let server: DevOp;
  beforeAll(async () => {
    server = await startTestOp();
    await server.store.addClient(confidentialClient({ scope: 'api:read api:write' }));
  });
  afterAll(() => server.stop());

  it('two consents widening one grant at the same moment both land', async () => {
    const { ensureGrant } = await import('../../src/provider/ensure-grant.js');
    const client = (await server.store.getClient('web'))!;
    const now = Math.floor(Date.now() / 1000);
    await server.store.put('Grant', 'g1', { accountId: 'alice', clientId: 'web', scopes: ['openid'], exp: now + 600, grantId: 'g1' });
    const record: SessionRecord = { accountId: 'alice', sid: 'sid-1', loginTs: now, amr: ['pwd'], grants: { web: 'g1' }, exp: now + 600 };
    await server.store.put('Session', 's1', record);
    const ids = await Promise.all([
      ensureGrant(server.provider, { id: 's1', record: structuredClone(record) }, client, ['openid', 'api:read']),
      ensureGrant(server.provider, { id: 's1', record: structuredClone(record) }, client, ['openid', 'api:write']),
    ]);
    expect(ids).toEqual(['g1', 'g1']);
    expect((await server.store.get('Grant', 'g1'))?.scopes.sort()).toEqual(['api:read', 'api:write', 'openid']);
  });
});

describe('first consents racing each other', () => {
  let server: DevOp;
  beforeAll(async () => {
    server = await startTestOp();
    await server.store.addClient(confidentialClient({ scope: 'api:read api:write' }));
  });
  afterAll(() => server.stop());

  it('two first consents at the same moment end in one grant with both scopes, linked to the session', async () => {
    const { ensureGrant } = await import('../../src/provider/ensure-grant.js');
    const client = (await server.store.getClient('web'))!;
    const now = Math.floor(Date.now() / 1000);
    const record: SessionRecord = { accountId: 'alice', sid: 'sid-2', loginTs: now, amr: ['pwd'], grants: {}, exp: now + 600 };
    await server.store.put('Session', 's2', record);
    const ids = await Promise.all([
      ensureGrant(server.provider, { id: 's2', record: structuredClone(record) }, client, ['openid', 'api:read']),
      ensureGrant(server.provider, { id: 's2', record: structuredClone(record) }, client, ['openid', 'api:write']),
    ]);
    expect(ids[0]).toBe(ids[1]);
    expect((await server.store.get('Session', 's2'))?.grants).toEqual({ web: ids[0] });
    expect((await server.store.get('Grant', ids[0]!))?.scopes.sort()).toEqual(['api:read', 'api:write', 'openid']);
  });
});
