import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { location, tokenRequest } from './support.js';

const svc = confidentialClient({ client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'], response_types: [] });
const web = confidentialClient();
// RFC 6749 5.2: error_description is %x20-21 / %x23-5B / %x5D-7E, nothing else.
const ALLOWED = /^[\x20-\x21\x23-\x5B\x5D-\x7E]*$/;
const HOSTILE = 'bad"scope\\with\r\nSet-Cookie: x=1\té';
let server: DevOp;

beforeAll(async () => {
  server = await startTestOp();
  await server.store.addClient(svc);
  await server.store.addClient(web);
});
afterAll(async () => {
  await server.stop();
});

describe('error_description never echoes characters RFC 6749 5.2 forbids', () => {
  it('at the token endpoint (JSON)', async () => {
    const res = await tokenRequest(server, { grant_type: 'client_credentials', scope: HOSTILE }, { id: 'svc', secret: 'svc-secret' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_scope');
    expect(body.error_description).toMatch(ALLOWED);
    expect(body.error_description).toContain('bad?scope?with??Set-Cookie: x=1??');
  });

  it('in an error redirect to the client', async () => {
    const params = new URLSearchParams({
      client_id: web.client_id, redirect_uri: web.redirect_uris[0]!, response_type: 'code', scope: `openid ${HOSTILE}`,
      state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCQaoWZ1QgBA8b-qljg_pMJ4', code_challenge_method: 'S256',
    });
    const back = new URL(location(await fetch(`${server.issuer}/auth?${params}`, { redirect: 'manual' })));
    expect(back.searchParams.get('error')).toBe('invalid_scope');
    expect(back.searchParams.get('error_description')).toMatch(ALLOWED);
    expect(back.searchParams.get('error_description')).toContain('bad?scope');
  });
});
