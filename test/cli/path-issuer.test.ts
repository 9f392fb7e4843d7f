import { describe, expect, it } from 'vitest';
import { serverForSuite } from '../helpers/cli.js';
import { freePort } from '../helpers/net.js';
import { cli } from './support.js';

describe('dev-op start --issuer http://127.0.0.1:<port>/tenant-a', () => {
  let issuer = '';
  const op = serverForSuite(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/tenant-a`;
    return ['--port', String(port), '--issuer', issuer];
  });

  it('takes management commands through the admin endpoint under the issuer path, live', async () => {
    expect(op.ready.issuer).toBe(issuer);
    const add = await cli(op.data, ['client', 'add', '--id', 'svc', '--secret', 'svc-secret', '--grant', 'client_credentials']);
    expect(add.exitCode, add.stderr).toBe(0);
    // The running server knows the client at once: the change went through it, not around it.
    const res = await fetch(`${op.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
  });
});
