import { importJWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverForSuite } from '../helpers/cli.js';
import { dpopKey, proof } from '../helpers/dpop.js';
import { cli, cliJson, project, readData } from './support.js';

describe('dev-op client add/update --dpop-bound, token inspect of a DPoP-bound token', () => {
  let p: Awaited<ReturnType<typeof project>>;
  beforeAll(async () => {
    p = await project();
  });
  afterAll(() => p.cleanup());

  it('--dpop-bound registers dpop_bound_access_tokens; update --no-dpop-bound takes it off', async () => {
    const added = await cliJson(p.data, ['client', 'add', '--id', 'svc', '--grant', 'client_credentials', '--dpop-bound']);
    expect(added.client.dpop_bound_access_tokens).toBe(true);
    const shown = await cli(p.data, ['client', 'show', 'svc']);
    expect(shown.stdout).toMatch(/dpop_bound\s+true/);
    const updated = await cliJson(p.data, ['client', 'update', 'svc', '--no-dpop-bound']);
    expect(updated.client.dpop_bound_access_tokens).toBeUndefined();
    const again = await cliJson(p.data, ['client', 'update', 'svc', '--dpop-bound']);
    expect(again.client.dpop_bound_access_tokens).toBe(true);
  });

  it('token inspect names the key a DPoP-bound token is bound to (cnf.jkt)', async () => {
    const [key] = (await readData(p.data)).keys;
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ iss: 'http://localhost:4000', sub: 'alice', iat: now, exp: now + 600, cnf: { jkt: 'x'.repeat(43) } })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .sign(await importJWK(key.jwk, key.alg));
    const result = await cli(p.data, ['token', 'inspect', `DPoP ${token}`]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`cnf.jkt ${'x'.repeat(43)}`);
    expect(result.stdout).toContain('Authorization: DPoP');
  });
});

describe('dev-op start --dpop-nonce', () => {
  const server = serverForSuite(() => ['--dpop-nonce']);

  it('token requests must carry the server nonce: use_dpop_nonce with a DPoP-Nonce header, then a bound token', async () => {
    const added = await cliJson(server.data, ['client', 'add', '--id', 'svc', '--secret', 'svc-secret', '--grant', 'client_credentials']);
    expect(added.client.client_id).toBe('svc');
    const key = await dpopKey();
    const url = `${server.issuer}/token`;
    const send = async (claims: Record<string, unknown>) => fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}`,
        dpop: await proof(key, 'POST', url, { claims }),
      },
      body: 'grant_type=client_credentials',
    });
    const first = await send({});
    expect(first.status).toBe(400);
    expect(await first.json()).toMatchObject({ error: 'use_dpop_nonce' });
    const nonce = first.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    const second = await send({ nonce });
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ token_type: 'DPoP' });
  });
});
