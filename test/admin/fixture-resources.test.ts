import { describe, expect, it } from 'vitest';
import { applyFixture, exportFixture, parseFixture, resetStore } from '../../src/admin/fixture.js';
import { ConfigError } from '../../src/errors/app-errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { systemClock } from '../../src/util/clock.js';

const PI = 'http://localhost:3006/pi';

/** Fixtures with resource servers and clients' logout channel metadata. */
describe('fixture resources and logout metadata', () => {
  it('parses resources in getResourceServerInfo names and clients with logout URIs', () => {
    const fixture = parseFixture({
      clients: [{
        client_id: 'rp', redirect_uris: ['http://localhost:3000/cb'],
        backchannel_logout_uri: 'http://localhost:3000/bc', backchannel_logout_session_required: true,
        frontchannel_logout_uri: 'http://localhost:3000/fc',
      }],
      resources: [{ resource: PI, scope: 'api:read api:write', audience: 'pi', accessTokenFormat: 'opaque', accessTokenTTL: 600 }],
    }, 'op.json');
    expect(fixture.resources).toEqual([{ resource: PI, scope: 'api:read api:write', audience: 'pi', accessTokenFormat: 'opaque', accessTokenTTL: 600 }]);
    expect(fixture.clients[0]).toMatchObject({
      backchannel_logout_uri: 'http://localhost:3000/bc', backchannel_logout_session_required: true, frontchannel_logout_uri: 'http://localhost:3000/fc',
    });
  });

  it.each([
    [{ resources: [{ resource: 'relative', scope: 'a' }] }, /op\.json: resources\[0\]\.resource: relative is not an absolute URI/],
    [{ resources: [{ resource: PI }] }, /op\.json: resources\[0\]\.scope: missing/],
    [{ resources: [{ resource: PI, scope: 'a', accessTokenTTL: '1h' }] }, /resources\[0\]\.accessTokenTTL: must be a positive whole number of seconds/],
    [{ resources: [{ resource: PI, scope: 'a', accessTokenFormat: 'paseto' }] }, /resources\[0\]\.accessTokenFormat: must be one of jwt, opaque/],
    [{ resources: [{ resource: PI, scope: 'a' }, { resource: PI, scope: 'b' }] }, /resources\[1\]\.resource: resources\[0\] and resources\[1\] share the resource/],
    [{ clients: [{ client_id: 'rp', redirect_uris: ['http://localhost:3000/cb'], backchannel_logout_uri: 'ftp://x/' }] }, /clients\[0\]\.backchannel_logout_uri: .*must be an http\(s\) URL/],
    [{ clients: [{ client_id: 'rp', redirect_uris: ['http://localhost:3000/cb'], frontchannel_logout_session_required: 'yes' }] }, /clients\[0\]\.frontchannel_logout_session_required: must be true or false/],
  ])('refuses %j at its JSON path', (json, message) => {
    expect(() => parseFixture(json, 'op.json')).toThrow(ConfigError);
    expect(() => parseFixture(json, 'op.json')).toThrow(message);
  });

  it('apply adds them, export writes them, reset goes back to exactly the fixture\'s', async () => {
    const store = new MemoryStore();
    const fixture = parseFixture({ resources: [{ resource: PI, scope: 'api:read' }] }, 'op.json');
    await applyFixture(store, fixture);
    await store.addResource({ resource: 'https://added.example', scope: 'x' });
    expect((await exportFixture(store, { includeKeys: false })).resources).toHaveLength(2);
    await resetStore(store, fixture, systemClock);
    expect(await store.listResources()).toEqual([{ resource: PI, scope: 'api:read' }]);
    await resetStore(store, undefined, systemClock);
    expect(await store.listResources()).toEqual([]);
    expect(await exportFixture(store, { includeKeys: false })).not.toHaveProperty('resources');
  });
});
