import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { hashPassword } from '../../src/util/password.js';
import { confidentialClient, passwordUser, startTestOp } from '../helpers/op.js';

describe('password grant (legacy, RFC 6749 4.3)', () => {
  let server: DevOp;
  beforeAll(async () => {
    server = await startTestOp();
    await server.store.addClient(confidentialClient({ client_id: 'legacy', grant_types: ['password', 'refresh_token'] }));
    await server.store.addClient(confidentialClient({ client_id: 'modern' }));
    await server.store.addUser(passwordUser({ password: await hashPassword('b0b-pw') }));
  });
  afterAll(() => server.stop());

  const grant = (clientId: string, form: Record<string, string>) =>
    fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:web-secret`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'password', ...form }),
    });

  it('issues tokens for the right password, to a client that lists the grant', async () => {
    const res = await grant('legacy', { username: 'bob', password: 'b0b-pw', scope: 'openid email offline_access' });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.refresh_token).toBeTruthy();
    const me = await (await fetch(`${server.issuer}/me`, { headers: { authorization: `Bearer ${body.access_token}` } })).json();
    expect(me).toEqual({ sub: 'bob-sub', email: 'bob@example.com', email_verified: false });
  });

  it('answers the same invalid_grant for a wrong password, an unknown user and a user without password', async () => {
    for (const form of [{ username: 'bob', password: 'nope' }, { username: 'nobody', password: 'x' }, { username: 'alice', password: '' }]) {
      const res = await grant('legacy', form);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: 'invalid username or password' });
    }
  });

  it('refuses clients that do not list the password grant', async () => {
    const res = await grant('modern', { username: 'bob', password: 'b0b-pw' });
    expect((await res.json()).error).toBe('unauthorized_client');
  });
});
