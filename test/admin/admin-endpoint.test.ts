import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDevOp } from '../../src/index.js';
import { readOwner } from '../../src/app/owner-file.js';
import { tempDir } from '../helpers/cli.js';
import { startTestOp } from '../helpers/op.js';

const post = (url: string, body: unknown, token?: string) => fetch(url, {
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});

describe('POST /_admin', () => {
  it('does not exist on a server without a data file (--memory, or the programmatic API in memory)', async () => {
    const op = await startTestOp();
    try {
      const res = await post(`${op.issuer}/_admin`, { op: 'client.list' }, 'anything');
      expect(res.status).toBe(404);
    } finally {
      await op.stop();
    }
  });

  it('on a data file: the owner file names the token; a key rotated through it signs the next token', async () => {
    const dir = await tempDir();
    const data = join(dir.path, 'db.json');
    const op = await startDevOp({ port: 0, host: '127.0.0.1', data, log: 'none' });
    try {
      const owner = await readOwner(data);
      expect(owner).toMatchObject({ pid: process.pid, port: op.port, host: '127.0.0.1', adminToken: expect.stringMatching(/^[\w-]{43}$/) });
      const url = `http://127.0.0.1:${op.port}/_admin`;
      expect((await post(url, { op: 'jwks.rotate', input: { alg: 'ES256' } })).status).toBe(401);
      const rotated = await post(url, { op: 'jwks.rotate', input: { alg: 'ES256' } }, owner!.adminToken);
      expect(rotated.status).toBe(200);
      const { result } = (await rotated.json()) as { result: { key: { kid: string } } };
      expect((await op.provider.keys()).active.kid).toBe(result.key.kid);
      await op.stop();
      expect(await readOwner(data)).toBeUndefined(); // removed on close: the token dies with the server
    } finally {
      await op.stop();
      await dir.cleanup();
    }
  });
});
