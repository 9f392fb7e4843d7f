import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeedFile } from '../../src/admin/seed-file.js';
import { tempDir } from '../helpers/cli.js';

/** A fixture's errors name the file, the entry and the fixture field: never a CLI flag the file has no use for. */
describe('fixture file errors', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.cleanup());

  const web = { client_id: 'web', redirect_uris: ['http://localhost:3000/cb'] };
  it.each([
    [{ clients: [{ client_id: 'web' }] }, 'clients[0].redirect_uris: missing (the authorization_code grant redirects back to it)'],
    [{ clients: [{ ...web, redirect_uris: ['http://localhost/#x'] }] }, 'clients[0].redirect_uris: http://localhost/#x must not contain a fragment'],
    [{ clients: [web, { ...web, client_id: 'b', grant_types: ['magic'] }] }, 'clients[1].grant_types: magic is not a supported grant type'],
    [{ clients: [{ ...web, token_endpoint_auth_method: 'none', client_secret: 's' }] }, 'clients[0]: a public client has no secret: use token_endpoint_auth_method none or client_secret, not both'],
    [{ clients: [{ ...web, token_endpoint_auth_method: 'private_key_jwt' }] }, 'clients[0]: missing jwks_uri or jwks'],
    [{ clients: [{ ...web, grant_types: ['client_credentials'], response_types: ['code'] }] }, 'need the authorization_code grant (grant_types authorization_code)'],
    [{ clients: [{ ...web, scope: 'a "b' }] }, 'clients[0].scope: contains an invalid scope token'],
    [{ users: [{ username: 'a b' }] }, 'users[0].username: "a b" must not contain spaces'],
    [{ users: [{ username: 'bob', email: 42 }] }, 'users[0].email: must be a string'],
  ])('%j', async (fixture, message) => {
    const path = join(dir.path, `f-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(path, JSON.stringify(fixture));
    const err = await readSeedFile(path).then(() => undefined, (e: Error) => e);
    expect(err?.message).toContain(`--seed ${path}: `);
    expect(err?.message).toContain(message);
    expect(err?.message.slice(`--seed ${path}`.length)).not.toMatch(/--[a-z]|USERNAME/);
  });
});
