import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listKeys } from '../../src/admin/keys.js';
import type { DevOp } from '../../src/index.js';
import { autoLoginCodeFlow, rpConfig } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { decodeJwt } from './support.js';

/** A key made because a client asks for an alg no key has: real, listed, and never the active key. */
describe('ID tokens in an alg the client asks for', () => {
  let server: DevOp;
  beforeAll(async () => {
    server = await startTestOp({ autoLogin: 'alice' });
    await server.keysReady;
  });
  afterAll(() => server.stop());

  it('a client asking PS256 gets a PS256 key made now, which jwks list and /jwks show and which signs only its ID tokens', async () => {
    const before = Date.now();
    const ps = confidentialClient({ client_id: 'ps', client_secret: 'ps-secret', skip_consent: true, id_token_signed_response_alg: 'PS256' });
    await server.store.addClient(ps);
    const tokens = await autoLoginCodeFlow(await rpConfig(server, ps), ps.redirect_uris[0]!, 'openid');
    const idHeader = decodeJwt(tokens.id_token!).header;
    expect(idHeader.alg).toBe('PS256');
    // The access token stays with the active key.
    expect(decodeJwt(tokens.access_token).header.alg).toBe('RS256');

    const listed = await listKeys(server.store);
    const made = listed.find((k) => k.kid === idHeader.kid);
    expect(made).toMatchObject({ alg: 'PS256', active: false, signs: ['ID tokens of ps (asks PS256)'] });
    expect(Date.parse(made!.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(listed.find((k) => k.active)).toMatchObject({ alg: 'RS256', signs: ['access tokens', 'ID tokens'] });
    const jwks = (await (await fetch(`${server.issuer}/jwks`)).json()) as { keys: { kid: string }[] };
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual(listed.map((k) => k.kid).sort());
  });
});
