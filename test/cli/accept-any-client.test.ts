import { afterEach, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli.js';

/** client_credentials for a client_id no one registered, with a secret. */
const tokenFor = (issuer: string, id: string) => fetch(`${issuer}/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${id}:s3cret`).toString('base64')}` },
  body: 'grant_type=client_credentials',
});

describe('dev-op start --accept-any-client', () => {
  let started: Awaited<ReturnType<typeof startCli>> | undefined;
  afterEach(async () => {
    started?.proc.kill('SIGTERM');
    await started?.proc;
    started = undefined;
  });

  it('without the flag an unknown client is refused', async () => {
    started = await startCli(['--memory']);
    expect((await tokenFor(started.ready.issuer, 'ghost')).status).toBe(401);
  });

  it('with it an unknown client is registered on the fly', async () => {
    started = await startCli(['--memory', '--accept-any-client']);
    expect((await tokenFor(started.ready.issuer, 'ghost')).status).toBe(200);
  });
});
