import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, tempDir } from '../helpers/cli.js';

/**
 * `dev-op start`'s cold start does not pay for the relying party: oauth4webapi is loaded on the
 * first playground run or `dev-op login`, never by start or the pages every server serves. A
 * module hook makes importing it fail, and the server must not notice.
 */

const HOOKS = `export async function resolve(specifier, context, next) {
  if (specifier === 'oauth4webapi') throw new Error('oauth4webapi was imported');
  return next(specifier, context);
}`;
const REGISTER = (hooks: string) => `import { register } from 'node:module';\nregister(${JSON.stringify(hooks)});\n`;

describe('oauth4webapi is loaded lazily', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let nodeOptions: string;
  beforeAll(async () => {
    dir = await tempDir();
    await writeFile(join(dir.path, 'hooks.mjs'), HOOKS);
    await writeFile(join(dir.path, 'register.mjs'), REGISTER(pathToFileURL(join(dir.path, 'hooks.mjs')).href));
    nodeOptions = `--import=${pathToFileURL(join(dir.path, 'register.mjs')).href}`;
  });
  afterAll(async () => {
    await dir?.cleanup();
  });

  it('the hook does keep it out (a process that imports it fails)', async () => {
    const r = await execa('node', ['--input-type=module', '-e', "await import('oauth4webapi')"], { reject: false, env: { NODE_OPTIONS: nodeOptions } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('oauth4webapi was imported');
  });

  it('dev-op start, discovery, JWKS, the home page and a token request work without it', async () => {
    const proc = execa('node', [BIN, 'start', '--memory', '--json', '--port', '0', '--quiet'], { reject: false, env: { NODE_OPTIONS: nodeOptions, NO_COLOR: '1' } });
    try {
      const ready = await new Promise<{ issuer: string }>((resolve, reject) => {
        let out = '';
        proc.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { issuer: string });
        });
        proc.then((r) => reject(new Error(`dev-op start exited ${r.exitCode}: ${r.stderr}`)), reject);
      });
      for (const path of ['/.well-known/openid-configuration', '/jwks', '/']) {
        expect((await fetch(`${ready.issuer}${path}`)).status, path).toBe(200);
      }
      const token = await fetch(`${ready.issuer}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials' }) });
      expect(token.status).toBe(401); // answered by the token endpoint, not a crash
    } finally {
      proc.kill('SIGTERM');
      await proc;
    }
  });
});
