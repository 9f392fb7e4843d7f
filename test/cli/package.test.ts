import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { tempDir } from '../helpers/cli.js';
import { isProcessAlive } from '../../src/util/process-alive.js';

/**
 * What a user of the published package gets: `npm pack` (of the dist/ that `npm test` built),
 * installed into an empty folder from the npm cache (the registry for anything missing), then
 * README's CI example run there verbatim but for its "run your tests" line.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the npm package', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let files: string[];
  let install: { stdout: string; stderr: string };
  const app = () => join(dir.path, 'app');

  beforeAll(async () => {
    dir = await tempDir();
    const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir.path], { cwd: ROOT });
    const [{ filename, files: listed }] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
    files = listed.map((f) => f.path);
    await mkdir(app());
    await writeFile(join(app(), 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    install = await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir.path, filename)], { cwd: app() });
  }, 180_000);
  afterAll(() => dir?.cleanup());

  it('ships LICENSE and the built code, and no source maps pointing at sources it does not contain', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/cli/main.js');
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('installs without install scripts of its own or dependencies it never imports', async () => {
    expect(`${install.stdout}\n${install.stderr}`).not.toMatch(/dev-op@[^ ]+ \(|prepare/);
    const manifest = JSON.parse(await readFile(join(app(), 'node_modules', 'dev-op', 'package.json'), 'utf8'));
    expect(manifest.scripts?.prepare).toBeUndefined();
    expect(Object.keys(manifest.dependencies)).not.toContain('execa');
    expect(await readFile(join(app(), 'node_modules', 'dev-op', 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it("README's CI example starts the server, and its kill really stops it", async () => {
    const script = [
      'npx dev-op start --port 0 --memory --auto-login alice --json > op.json &',
      'until [ -s op.json ]; do sleep 0.1; done',
      `ISSUER=$(node -p 'require("./op.json").issuer')`,
      `node -e 'fetch(process.argv[1] + "/.well-known/openid-configuration").then((r) => process.exit(r.ok ? 0 : 1))' "$ISSUER"`,
      `kill "$(node -p 'require("./op.json").pid')"`,
      'wait',
    ].join('\n');
    const run = await execa('sh', ['-c', script], { cwd: app(), reject: false, timeout: 60_000 });
    expect(run.exitCode, run.stderr).toBe(0);
    const ready = JSON.parse(await readFile(join(app(), 'op.json'), 'utf8')) as { event: string; pid: number };
    expect(ready.event).toBe('ready');
    expect(isProcessAlive(ready.pid)).toBe(false);
  }, 60_000);
});
