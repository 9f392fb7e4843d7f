import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { discover } from '../../src/rp/discover.js';
import { fetchJwks } from '../../src/rp/jwks.js';
import { pinnedFetch } from '../../src/rp/pinned-fetch.js';
import { RpError } from '../../src/rp/rp-error.js';
import { startTestOp } from '../helpers/op.js';

/** Finding an OP (OpenID Connect Discovery 1.0) and reaching it, against real servers on port 0. */

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(promise: Promise<unknown>): Promise<[string, string]> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(RpError);
  return [(err as RpError).reason, (err as RpError).message];
}

describe('discover', () => {
  let op: DevOp;
  let notAnOp: Server;
  let notAnOpUrl: string;
  beforeAll(async () => {
    op = await startTestOp();
    notAnOp = createServer((_, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not found</h1>'));
    notAnOpUrl = await listen(notAnOp);
  });
  afterAll(async () => {
    await op?.stop();
    await new Promise((r) => notAnOp?.close(r));
  });

  it('the issuer must be the one asked for (section 4.3); a trailing slash is the same URL', async () => {
    expect((await discover(`${op.issuer}/`, { issuer: `${op.issuer}/` })).issuer).toBe(op.issuer);
    const other = op.issuer.replace('localhost', '127.0.0.1');
    expect(await failure(discover(other, { issuer: other }))).toEqual(['issuer_mismatch', `the server at ${other} says its issuer is ${op.issuer}, not ${other}`]);
    // Without an expected issuer (found through the data file's owner), the document's is taken.
    expect((await discover(other)).issuer).toBe(op.issuer);
  });

  it('nothing listening, or something that is no OP: a reason and one sentence', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise((r) => closed.close(r));
    const [reason, message] = await failure(discover(url));
    expect(reason).toBe('unreachable');
    expect(message).toMatch(new RegExp(`^could not reach the discovery document at ${url}/\\.well-known/openid-configuration: .*ECONNREFUSED`));
    expect(await failure(discover(notAnOpUrl))).toEqual([
      'not_an_op', `${notAnOpUrl}/.well-known/openid-configuration answered 404 without an OpenID Provider's discovery document`,
    ]);
    expect(await failure(discover('not a url'))).toEqual(['not_an_op', 'not a url is not a URL']);
  });
});

describe('pinnedFetch: an RP inside the OP reaches it whatever its issuer resolves to', () => {
  let op: DevOp;
  beforeAll(async () => {
    // .invalid never resolves (RFC 6761 6.4): only the pinned socket address reaches this OP.
    op = await startTestOp({ issuer: 'http://op.invalid' });
  });
  afterAll(async () => {
    await op?.stop();
  });

  it('discovery and the JWKS through the socket address, with the issuer\'s Host', async () => {
    const transport = { fetch: pinnedFetch('http://op.invalid', `http://127.0.0.1:${op.port}`) };
    const as = await discover('http://op.invalid', { issuer: 'http://op.invalid', transport });
    expect(as.token_endpoint).toBe('http://op.invalid/token');
    expect((await fetchJwks(as, transport)).keys.length).toBeGreaterThan(0);
    expect((await failure(discover('http://op.invalid')))[0]).toBe('network');
  });
});
