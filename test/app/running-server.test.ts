import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverOnData } from '../../src/app/running-server.js';
import { startDevOp } from '../../src/app/start-dev-op.js';
import { tempDir } from '../helpers/cli.js';

describe('serverOnData', () => {
  it('finds the server that owns the data file through its owner file, and none once it stops', async () => {
    const dir = await tempDir();
    const data = join(dir.path, 'db.json');
    try {
      expect(await serverOnData(data)).toBeUndefined();
      const server = await startDevOp({ port: 0, host: '127.0.0.1', data, log: 'none' });
      try {
        const found = await serverOnData(data);
        expect(found).toEqual({ base: `http://127.0.0.1:${server.port}`, pid: process.pid });
        expect((await fetch(`${found!.base}/.well-known/openid-configuration`)).status).toBe(200);
      } finally {
        await server.stop();
      }
      expect(await serverOnData(data)).toBeUndefined();
    } finally {
      await dir.cleanup();
    }
  });

  it('ignores an owner file whose process is gone, and reaches an IPv6 host in brackets', async () => {
    const dir = await tempDir();
    const data = join(dir.path, 'db.json');
    try {
      const dead = spawnSync(process.execPath, ['-e', '']).pid;
      await writeFile(`${data}.owner.json`, JSON.stringify({ pid: dead, port: 4000, hostname: hostname() }), { mode: 0o600 });
      expect(await serverOnData(data)).toBeUndefined();
      await writeFile(`${data}.owner.json`, JSON.stringify({ pid: process.pid, port: 4000, host: '::', hostname: hostname() }), { mode: 0o600 });
      expect(await serverOnData(data)).toMatchObject({ base: 'http://[::1]:4000' });
    } finally {
      await dir.cleanup();
    }
  });
});
