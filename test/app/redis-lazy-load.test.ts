import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.js';

/**
 * The Redis client (ioredis) is loaded only for `--store redis://…` (issue 14): a start on a data
 * file or in memory, and the management commands on a data file, never import it. A module hook
 * makes importing it fail, and none of these may notice. Needs nothing but Node (no Redis).
 */

const HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === 'ioredis') throw new Error('ioredis was imported');
  return next(specifier, context);
}`;

describe('ioredis is loaded only for a Redis store', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await tempDir();
    await writeFile(join(dir.path, 'hooks.mjs'), HOOKS);
    await writeFile(join(dir.path, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir.path, 'hooks.mjs')).href)});\n`);
    env = { NODE_OPTIONS: `--import=${pathToFileURL(join(dir.path, 'register.mjs')).href}`, NO_COLOR: '1' };
  });
  afterAll(async () => {
    await dir?.cleanup();
  });

  it('the hook does keep it out: --store fails to load it', async () => {
    const r = await execa('node', [BIN, 'client', 'list', '--store', 'redis://127.0.0.1:1/0'], { reject: false, env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('ioredis was imported');
  });

  it('start on a data file serves tokens, and client add/list on it work, without it', async () => {
    const data = join(dir.path, 'db.json');
    const add = await execa('node', [BIN, 'client', 'add', '--id', 'svc', '--secret', 's3cret', '--grant', 'client_credentials', '--data', data], { reject: false, env });
    expect(add.exitCode, add.stderr).toBe(0);
    const proc = execa('node', [BIN, 'start', '--data', data, '--json', '--port', '0', '--quiet'], { reject: false, env });
    try {
      const ready = await new Promise<{ issuer: string }>((resolve, reject) => {
        let out = '';
        proc.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { issuer: string });
        });
        proc.then((r) => reject(new Error(`dev-op start exited ${r.exitCode}: ${r.stderr}`)), reject);
      });
      const token = await fetch(`${ready.issuer}/token`, {
        method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'svc', client_secret: 's3cret' }),
      });
      expect(token.status).toBe(401); // svc uses client_secret_basic: answered by the endpoint, not a crash
      const list = await execa('node', [BIN, 'client', 'list', '--data', data, '--json'], { reject: false, env });
      expect(list.exitCode, list.stderr).toBe(0);
    } finally {
      proc.kill('SIGTERM');
      expect((await proc).exitCode).toBe(0);
    }
  });
});
