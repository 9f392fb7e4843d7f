import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BIN, tempDir } from '../helpers/cli.js';
import { cli } from './support.js';

/** The banner `dev-op start` prints (no --json), up to its last line. */
async function banner(data: string): Promise<string> {
  const proc = execa('node', [BIN, 'start', '--port', '0', '--data', data, '--quiet'], { reject: false, env: { NO_COLOR: '1' } });
  let out = '';
  await new Promise<void>((resolve) => proc.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    if (out.includes('Ctrl+C')) resolve();
  }));
  proc.kill('SIGTERM');
  await proc;
  return out;
}

describe('dev-op start banner: how each client authenticates', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('labels private_key_jwt as such (not public), public clients as PKCE, and shows secrets', async () => {
    const data = join(dir.path, 'db.json');
    for (const args of [
      ['--id', 'pk', '--auth-method', 'private_key_jwt', '--jwks-uri', 'https://rp.example/jwks', '--grant', 'client_credentials'],
      ['--id', 'spa', '--public', '--redirect-uri', 'http://localhost:5173/cb'],
      ['--id', 'sj', '--secret', 'sj-secret-sj-secret-sj-secret-sj-secret', '--auth-method', 'client_secret_jwt', '--grant', 'client_credentials'],
    ]) {
      const add = await cli(data, ['client', 'add', ...args]);
      expect(add.exitCode, add.stderr).toBe(0);
    }
    const lines = (await banner(data)).split('\n');
    const line = (id: string) => lines.find((l) => new RegExp(`\\s${id}\\s`).test(`${l} `)) ?? '';
    expect(line('pk')).toContain('private_key_jwt');
    expect(line('pk')).not.toMatch(/public|PKCE/);
    expect(line('spa')).toContain('(public, PKCE)');
    expect(line('sj')).toContain('sj-secret-sj-secret-sj-secret-sj-secret');
    expect(line('sj')).toContain('client_secret_jwt');
  });
});
