import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson, expectUsageError, project } from './support.js';

/** `client add|update --backchannel-logout-uri / --frontchannel-logout-uri` (OIDC Back-/Front-Channel Logout 1.0). */
describe('dev-op client logout channel flags', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
  });
  afterAll(() => p.cleanup());

  it('add sets them, update replaces them, show and export carry them', async () => {
    const added = await cliJson(p.data, [
      'client', 'add', '--id', 'rp', '--redirect-uri', 'http://localhost:3000/cb',
      '--backchannel-logout-uri', 'http://localhost:3000/backchannel', '--frontchannel-logout-uri', 'http://localhost:3000/frontchannel?x=1',
    ]);
    expect(added.client).toMatchObject({
      backchannel_logout_uri: 'http://localhost:3000/backchannel', frontchannel_logout_uri: 'http://localhost:3000/frontchannel?x=1',
    });
    const updated = await cliJson(p.data, ['client', 'update', 'rp', '--backchannel-logout-uri', 'http://localhost:4000/bc']);
    expect(updated.client).toMatchObject({ backchannel_logout_uri: 'http://localhost:4000/bc', frontchannel_logout_uri: 'http://localhost:3000/frontchannel?x=1' });
    const human = await cli(p.data, ['client', 'show', 'rp']);
    expect(human.stdout).toContain('http://localhost:4000/bc');
    const exported = await cliJson(p.data, ['export']);
    expect(exported.clients.find((c: { client_id: string }) => c.client_id === 'rp')).toMatchObject({ backchannel_logout_uri: 'http://localhost:4000/bc' });
  });

  it('a relative URI, another scheme or a fragment: exit 1, one line naming the flag', async () => {
    expectUsageError(await cli(p.data, ['client', 'add', '--id', 'bad1', '--redirect-uri', 'http://localhost:3000/cb', '--backchannel-logout-uri', '/bc']), '--backchannel-logout-uri');
    expectUsageError(await cli(p.data, ['client', 'add', '--id', 'bad2', '--redirect-uri', 'http://localhost:3000/cb', '--frontchannel-logout-uri', 'javascript:alert(1)']), '--frontchannel-logout-uri');
    expectUsageError(await cli(p.data, ['client', 'add', '--id', 'bad3', '--redirect-uri', 'http://localhost:3000/cb', '--backchannel-logout-uri', 'http://localhost:3000/bc#x']), 'must not have a fragment');
  });
});
