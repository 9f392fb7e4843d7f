import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { FormAgent, formAction, inputValue } from '../helpers/browser-like.js';
import { startTestOp } from '../helpers/op.js';

/**
 * The playground is src/rp living inside the OP: a run over plain HTTP (auto-login alice, so
 * /auth redirects straight back to the playground's callback). The browser test covers the pages.
 */

describe('the playground as a relying party', () => {
  let op: DevOp;
  beforeAll(async () => {
    op = await startTestOp({ autoLogin: 'alice' });
  });
  afterAll(async () => {
    await op?.stop();
  });

  /** Start a run from the home page's form; the authorization request it redirects to. */
  async function startRun(agent: FormAgent): Promise<URL> {
    const home = await (await agent.fetch(`${op.issuer}/`)).text();
    const start = await agent.fetch(formAction(home, /\/playground\/start$/)!, {
      form: { csrf: inputValue(home, 'csrf')!, client_id: 'dev-op-playground', scope_openid: '1', scope_email: '1' },
    });
    expect(start.status).toBe(303);
    return new URL(start.headers.get('location')!);
  }

  it('a run: the code redeemed, the ID token and access token verified, userinfo for the same sub', async () => {
    const agent = new FormAgent();
    const auth = await startRun(agent);
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    const back = await agent.fetch(auth.href);
    const callback = new URL(back.headers.get('location')!);
    expect(callback.pathname).toBe('/playground/callback');
    expect(callback.searchParams.get('iss')).toBe(op.issuer);
    const res = await agent.fetch(callback.href);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Signature valid (RS256, a key from the JWKS)');
    expect(html).toContain('nonce matches the one sent');
    expect(html).toContain('oauth4webapi accepts the token response');
    expect(html).toContain('typ is at+jwt');
    expect(html).toContain('sub matches the ID token');
    expect(html).not.toMatch(/Verification failed|refuses/);
  });

  it('a callback without iss is refused: the OP says it always sends one (RFC 9207 2.4)', async () => {
    const agent = new FormAgent();
    const auth = await startRun(agent);
    const res = await agent.fetch(`${op.issuer}/playground/callback?${new URLSearchParams({ code: 'x', state: auth.searchParams.get('state')! })}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('names issuer (none), not');
  });
});
