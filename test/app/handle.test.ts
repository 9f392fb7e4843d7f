import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError, UsageError, startDevOp, type DevOp } from '../../src/index.js';
import { devOp, tempDir } from '../helpers/cli.js';

let op: DevOp;
beforeAll(async () => {
  op = await startDevOp({ port: 0, host: '127.0.0.1', memory: true });
});
afterAll(async () => {
  await op.stop();
});

describe('the DevOp handle', () => {
  it('knows its issuer, port and the URL of every endpoint, as discovery says', async () => {
    expect(op.issuer).toBe(`http://localhost:${op.port}`);
    const served = await (await fetch(`http://127.0.0.1:${op.port}/.well-known/openid-configuration`)).json();
    expect(op.discovery).toEqual(served);
    expect(op.discovery).toMatchObject({
      issuer: op.issuer, authorization_endpoint: `${op.issuer}/auth`, token_endpoint: `${op.issuer}/token`,
      userinfo_endpoint: `${op.issuer}/me`, jwks_uri: `${op.issuer}/jwks`,
    });
  });

  it('clients: add (RFC 7591 names), get, update, list and remove; the OP uses the change at once', async () => {
    const added = await op.clients.add({ client_id: 'svc', grant_types: ['client_credentials'], client_name: 'Service' });
    expect(added).toMatchObject({ client_id: 'svc', client_name: 'Service', grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_basic' });
    expect(added.client_secret).toMatch(/.{20,}/);
    expect(await op.clients.get('svc')).toEqual(added);

    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: 'svc', client_secret: added.client_secret! });
    const token = async () => fetch(`${op.issuer.replace('localhost', '127.0.0.1')}/token`, { method: 'POST', body: form });
    // client_secret_basic only: a secret in the body is refused until the client is switched to client_secret_post.
    expect((await token()).status).toBe(401);
    const updated = await op.clients.update('svc', { token_endpoint_auth_method: 'client_secret_post' });
    expect(updated).toMatchObject({ client_id: 'svc', client_name: 'Service', token_endpoint_auth_method: 'client_secret_post' });
    expect((await token()).status).toBe(200);

    const pub = await op.clients.add({ client_id: 'spa', token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:5173/cb'] });
    expect(pub).toMatchObject({ token_endpoint_auth_method: 'none' });
    expect(pub.client_secret).toBeUndefined();
    expect((await op.clients.list()).map((c) => c.client_id)).toEqual(expect.arrayContaining(['svc', 'spa']));

    await op.clients.remove('svc');
    await expect(op.clients.get('svc')).rejects.toThrow(new NotFoundError('client svc does not exist (see dev-op client list)'));
    expect((await token()).status).toBe(401);
  });

  it('refuses bad client metadata with the clear error the CLI gives, and registers nothing', async () => {
    const dir = await tempDir();
    try {
      const cli = await devOp(['client', 'add', '--id', 'bad', '--redirect-uri', 'not-a-url', '--data', join(dir.path, 'db.json')]);
      expect(cli.exitCode).toBe(1);
      const message = String(cli.stderr).trim().split('\n').at(-1)!.replace(/^dev-op: /, '');
      const err = await op.clients.add({ client_id: 'bad', redirect_uris: ['not-a-url'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe(message);
    } finally {
      await dir.cleanup();
    }
    await expect(op.clients.get('bad')).rejects.toBeInstanceOf(NotFoundError);
    await expect(op.clients.add({ client_id: 'web', grant_types: ['telepathy'] })).rejects.toBeInstanceOf(UsageError);
    await expect(op.clients.add({ client_id: 'web', application_type: 'desktop' as never })).rejects.toThrow('application_type must be web or native');
    await expect(op.clients.add({ client_id: 'web', redirect_uri: ['x'] } as never)).rejects.toThrow('unknown client metadata "redirect_uri"');
    await expect(op.clients.update('nope', { client_name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(op.clients.add({ client_id: 'app', redirect_uris: ['http://localhost:9/cb'] })).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('users: add with a password and claims, update, get, list and remove', async () => {
    const bob = await op.users.add({ username: 'bob', password: 'pw', claims: { email: 'bob@example.com', roles: ['admin'] } });
    expect(bob).toMatchObject({ username: 'bob', sub: 'bob', has_password: true, claims: { email: 'bob@example.com', roles: ['admin'] } });
    expect(bob).not.toHaveProperty('password');
    const updated = await op.users.update('bob', { claims: { roles: ['viewer'] } });
    expect(updated.claims).toMatchObject({ email: 'bob@example.com', roles: ['viewer'] });
    expect(await op.users.get('bob')).toEqual(updated);
    expect((await op.users.list()).map((u) => u.username)).toEqual(expect.arrayContaining(['alice', 'bob']));
    await op.users.remove('bob');
    await expect(op.users.get('bob')).rejects.toBeInstanceOf(NotFoundError);
    await expect(op.users.add({ username: 'has space' })).rejects.toBeInstanceOf(UsageError);
    await expect(op.users.add({ username: 'carol', claims: { sub: 'x' } })).rejects.toThrow('--claim sub=… is not allowed');
  });

  it('tokens.mint makes a token for this issuer; keys.rotate switches the signing key', async () => {
    await op.users.add({ username: 'dora', claims: { email: 'dora@example.com' } });
    const minted = await op.tokens.mint({ user: 'dora', client: 'app', scope: 'openid email', claims: { acr: 'mfa' } });
    expect(minted.claims).toMatchObject({ iss: op.issuer, sub: 'dora', acr: 'mfa', client_id: 'app' });
    const me = await fetch(`http://127.0.0.1:${op.port}/me`, { headers: { authorization: `Bearer ${minted.token}` } });
    expect(await me.json()).toMatchObject({ sub: 'dora', email: 'dora@example.com' });
    await expect(op.tokens.mint({ user: 'nobody' })).rejects.toBeInstanceOf(NotFoundError);

    await op.keysReady;
    const rotated = await op.keys.rotate({ alg: 'ES256' });
    expect(rotated.key.alg).toBe('ES256');
    expect((await op.keys.list()).map((k) => k.kid)).toContain(rotated.key.kid);
    const next = await op.tokens.mint({ user: 'dora', client: 'app' });
    expect(next.header).toMatchObject({ alg: 'ES256', kid: rotated.key.kid });
    await expect(op.keys.rotate({ alg: 'HS1' as never })).rejects.toBeInstanceOf(UsageError);
  });

  it('stop is idempotent', async () => {
    const other = await startDevOp({ port: 0, host: '127.0.0.1', memory: true });
    await Promise.all([other.stop(), other.stop()]);
    await other.stop();
    await expect(fetch(`http://127.0.0.1:${other.port}/jwks`)).rejects.toThrow();
  });
});
