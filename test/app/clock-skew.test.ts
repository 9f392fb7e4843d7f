import * as oidc from 'openid-client';
import { afterAll, describe, expect, it } from 'vitest';
import { startDevOp, UsageError, type DevOp } from '../../src/index.js';
import { autoLoginCodeFlow } from '../helpers/flows.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';

/** `clockSkew` (--clock-skew) runs the OP's clock off the system's, for every token and check. */
const web = confidentialClient();
const redirectUri = web.redirect_uris[0]!;
const started: DevOp[] = [];
afterAll(async () => {
  await Promise.all(started.map((op) => op.stop()));
});

async function skewedOp(clockSkew: string): Promise<DevOp> {
  const op = await startTestOp({ autoLogin: 'alice', clockSkew });
  started.push(op);
  await op.store.addClient(web);
  return op;
}

/** openid-client for `web`, with extra client metadata (e.g. its own clock skew setting). */
function rp(op: DevOp, metadata: Partial<oidc.ClientMetadata> = {}) {
  return oidc.discovery(new URL(op.issuer), web.client_id, { client_secret: web.client_secret, ...metadata }, oidc.ClientSecretBasic(web.client_secret), {
    execute: [oidc.allowInsecureRequests],
  });
}

const payload = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };

describe('clockSkew', () => {
  it('5m: the ID token and access token say iat ~5 minutes ahead; openid-client does not mind a future iat', async () => {
    const op = await skewedOp('5m');
    expect(op.clock.now() - Date.now()).toBeGreaterThanOrEqual(300_000 - 50);
    const tokens = await autoLoginCodeFlow(await rp(op), redirectUri);
    const now = Date.now() / 1000;
    expect(tokens.claims()!.iat - now).toBeGreaterThan(295);
    expect(tokens.claims()!.iat - now).toBeLessThan(305);
    expect(payload(tokens.access_token).iat - now).toBeGreaterThan(295);
    // The OP's own checks use its clock too: the access token is good at its userinfo.
    expect((await oidc.fetchUserInfo(await rp(op), tokens.access_token, 'alice')).sub).toBe('alice');
  });

  it('-2h: openid-client refuses the ID token as expired, unless the app sets its clockSkew to match', async () => {
    const op = await skewedOp('-2h');
    const err = await autoLoginCodeFlow(await rp(op), redirectUri).catch((e: unknown) => e as { cause?: { code?: string } });
    expect(err).toBeInstanceOf(Error);
    expect((err as { cause?: { code?: string } }).cause?.code).toBe('OAUTH_JWT_TIMESTAMP_CHECK_FAILED');
    const tolerant = await rp(op, { [oidc.clockSkew]: -2 * 3600 });
    expect((await autoLoginCodeFlow(tolerant, redirectUri)).claims()!.sub).toBe('alice');
  });

  it('a skew that is not a duration is refused before anything starts', async () => {
    await expect(startDevOp({ memory: true, port: 0, clockSkew: 'soon' })).rejects.toThrow(UsageError);
    await expect(startDevOp({ memory: true, port: 0, clockSkew: 'soon' })).rejects.toThrow(/--clock-skew soon/);
  });
});

describe('clockSkew in the project config', () => {
  it('dev-op.config.json "clockSkew" and DEV_OP_CLOCK_SKEW are start options', async () => {
    const { parseStartConfig, startConfigFromEnv } = await import('../../src/config/project-config.js');
    expect(parseStartConfig({ clockSkew: '-5m' }, 'dev-op.config.json')).toEqual({ clockSkew: '-5m' });
    expect(startConfigFromEnv({ DEV_OP_CLOCK_SKEW: '5m' })).toEqual({ clockSkew: '5m' });
  });
});
