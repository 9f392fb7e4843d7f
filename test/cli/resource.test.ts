import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverForSuite } from '../helpers/cli.js';
import { cli, cliJson, expectUsageError, project, readData } from './support.js';

const PI = 'http://localhost:3006/pi';

/** `dev-op resource`: resource servers on the data file, with no server running. */
describe('dev-op resource on a data file', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
  });
  afterAll(() => p.cleanup());

  it('add, show, list, update and remove, with --json; the data file holds them in its resources section', async () => {
    const added = await cliJson(p.data, ['resource', 'add', PI, '--scope', 'api:read', '--scope', 'api:write', '--ttl', '1h', '--token-format', 'opaque']);
    expect(added).toEqual({ resource: PI, scope: 'api:read api:write', accessTokenFormat: 'opaque', accessTokenTTL: 3600 });
    expect((await readData(p.data)).resources).toEqual([added]);
    expect(await cliJson(p.data, ['resource', 'show', PI])).toEqual(added);
    const human = await cli(p.data, ['resource', 'list']);
    expect(human.stdout).toContain(PI);
    expect(human.stdout).toContain('api:read api:write');
    // The same add again changes nothing and is no error (set-up scripts run twice).
    expect(await cliJson(p.data, ['resource', 'add', PI, '--scope', 'api:read', '--scope', 'api:write', '--ttl', '3600', '--token-format', 'opaque']))
      .toMatchObject({ unchanged: true });
    const updated = await cliJson(p.data, ['resource', 'update', PI, '--audience', 'pi-api', '--token-format', 'jwt']);
    expect(updated).toEqual({ resource: PI, scope: 'api:read api:write', audience: 'pi-api', accessTokenFormat: 'jwt', accessTokenTTL: 3600 });
    expect(await cliJson(p.data, ['resource', 'list'])).toEqual([updated]);
    expect(await cliJson(p.data, ['resource', 'remove', PI])).toEqual({ removed: PI });
    expect(await cliJson(p.data, ['resource', 'list'])).toEqual([]);
  });

  it('bad input: exit 1, one line, nothing changed', async () => {
    expectUsageError(await cli(p.data, ['resource', 'add', 'relative/path', '--scope', 'a']), 'not an absolute URI');
    expectUsageError(await cli(p.data, ['resource', 'add', `${PI}#frag`, '--scope', 'a']), 'must not have a fragment');
    expectUsageError(await cli(p.data, ['resource', 'add', PI]), 'missing --scope');
    expectUsageError(await cli(p.data, ['resource', 'add', PI, '--scope', 'openid']), 'openid is an OpenID scope');
    expectUsageError(await cli(p.data, ['resource', 'add', PI, '--scope', 'a', '--ttl', 'soon']), '--ttl soon is not a lifetime');
    expectUsageError(await cli(p.data, ['resource', 'add', PI, '--scope', 'a', '--token-format', 'paseto']), '--token-format must be one of jwt, opaque');
    expectUsageError(await cli(p.data, ['resource', 'show', PI]), `resource ${PI} does not exist`);
    expectUsageError(await cli(p.data, ['resource', 'remove', PI]), `resource ${PI} does not exist`);
    expect((await readData(p.data)).resources).toEqual([]);
  });

  it('export writes resources; a fixture\'s resources are checked at their JSON path', async () => {
    await cliJson(p.data, ['resource', 'add', PI, '--scope', 'api:read']);
    const exported = await cliJson(p.data, ['export']);
    expect(exported.resources).toEqual([{ resource: PI, scope: 'api:read' }]);
    const bad = join(p.dir, 'bad-fixture.json');
    await writeFile(bad, JSON.stringify({ resources: [{ resource: PI, scopes: 'api:read' }] }));
    const refused = await cli(p.data, ['start', '--port', '0', '--memory', '--seed', bad]);
    expectUsageError(refused, 'resources[0].scopes: unknown field');
    await cliJson(p.data, ['resource', 'remove', PI]);
  });
});

/** Through a running server: the change applies at once, and `token get --resource` uses it. */
describe('dev-op resource with dev-op start running', () => {
  const op = serverForSuite();
  beforeAll(async () => {
    await cliJson(op.data, ['client', 'add', '--id', 'svc', '--grant', 'client_credentials', '--scope', 'svc:own']);
  });

  it('a resource added live shapes the next token; an undeclared one is then refused', async () => {
    await cliJson(op.data, ['resource', 'add', PI, '--scope', 'api:read', '--ttl', '5m', '--audience', 'pi-api']);
    const token = await cli(op.data, ['token', 'get', '--client', 'svc', '--resource', PI]);
    expect(token.exitCode, token.stderr).toBe(0);
    const claims = decodeJwt(token.stdout);
    expect(claims).toMatchObject({ aud: 'pi-api', scope: 'api:read', iss: op.issuer });
    expect(claims.exp! - claims.iat!).toBe(300);
    expectUsageError(await cli(op.data, ['token', 'get', '--client', 'svc', '--resource', 'https://other.example']), /invalid_target/);
  });
});
