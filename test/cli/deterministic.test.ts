import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, tempDir } from '../helpers/cli.js';
import { decode } from './support.js';

/**
 * `dev-op start --deterministic`: two processes given the same seed and the same requests answer
 * with byte-identical tokens (codes, jti, sid, refresh tokens, signatures), so a test suite can
 * snapshot them.
 */
const ISSUER = 'http://localhost:4000';
const REDIRECT = 'http://localhost:3000/cb';
const fixture = {
  clients: [
    { client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'] },
    { client_id: 'web', client_secret: 'web-secret', redirect_uris: [REDIRECT], grant_types: ['authorization_code', 'refresh_token'] },
  ],
  users: [{ username: 'alice', email: 'alice@example.com' }],
};

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** Everything a run hands out, as the raw response bodies and redirect. */
async function run(port: number): Promise<{ clientCredentials: string; redirect: string; code: string; refresh: string }> {
  const base = `http://127.0.0.1:${port}`;
  const token = (form: Record<string, string>, auth: string) =>
    fetch(`${base}/token`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
  const cc = await token({ grant_type: 'client_credentials' }, basic('svc', 'svc-secret'));
  expect(cc.status).toBe(200);
  const auth = new URL(`${base}/auth`);
  auth.search = new URLSearchParams({
    client_id: 'web', response_type: 'code', redirect_uri: REDIRECT, scope: 'openid email offline_access', state: 'st', nonce: 'n',
    prompt: 'consent', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256',
  }).toString();
  const authorized = await fetch(auth, { redirect: 'manual' });
  expect(authorized.status).toBe(302);
  const redirect = authorized.headers.get('location')!;
  const code = new URL(redirect).searchParams.get('code')!;
  const exchanged = await token({
    grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
  }, basic('web', 'web-secret'));
  const codeBody = await exchanged.text();
  expect(exchanged.status, codeBody).toBe(200);
  const refreshed = await token({ grant_type: 'refresh_token', refresh_token: JSON.parse(codeBody).refresh_token }, basic('web', 'web-secret'));
  expect(refreshed.status).toBe(200);
  return { clientCredentials: await cc.text(), redirect, code: codeBody, refresh: await refreshed.text() };
}

describe('dev-op start --deterministic', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let seedFile: string;
  beforeAll(async () => {
    dir = await tempDir();
    seedFile = join(dir.path, 'fixture.json');
    await writeFile(seedFile, JSON.stringify(fixture));
  });
  afterAll(() => dir.cleanup());

  async function runProcess(extra: string[]) {
    const { proc, ready } = await startCli(['--memory', '--deterministic', ...extra, '--issuer', ISSUER, '--seed', seedFile, '--auto-login', 'alice']);
    try {
      return await run(ready.port);
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
  }

  it('two processes with the same seed issue byte-identical tokens, codes and refresh tokens', async () => {
    const first = await runProcess([]);
    const second = await runProcess([]);
    expect(second).toEqual(first);

    const code = JSON.parse(first.code);
    expect(code.refresh_token).toEqual(expect.any(String));
    const id = decode(code.id_token);
    expect(id.header.alg).toBe('EdDSA');
    expect(id.payload).toMatchObject({ iss: ISSUER, sub: 'alice', iat: Date.parse('2030-01-01T00:00:00Z') / 1000, sid: expect.any(String) });
    expect(decode(code.access_token).payload.jti).toEqual(expect.any(String));
    // Seeded ids are still distinct from one another.
    expect(new Set([decode(code.access_token).payload.jti, id.payload.sid, code.refresh_token]).size).toBe(3);
  });

  it('another seed gives other ids and another key', async () => {
    const first = await runProcess([]);
    const other = await runProcess(['other-seed']);
    const [a, b] = [JSON.parse(first.clientCredentials), JSON.parse(other.clientCredentials)];
    expect(decode(b.access_token).payload.jti).not.toBe(decode(a.access_token).payload.jti);
    expect(decode(b.access_token).header.kid).not.toBe(decode(a.access_token).header.kid);
    expect(new URL(other.redirect).searchParams.get('code')).not.toBe(new URL(first.redirect).searchParams.get('code'));
  });
});
