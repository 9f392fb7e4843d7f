import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { BIN, devOp, tempDir } from '../helpers/cli.js';
import { expectUsageError } from './support.js';

describe('dev-op start: --templates and --open', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('refuses a --templates folder that does not exist, naming it', async () => {
    const missing = join(dir.path, 'nonexistent');
    const result = await devOp(['start', '--memory', '--port', '0', '--json', '--templates', missing]);
    expectUsageError(result, `--templates ${missing}`);
  });

  it('refuses a --templates path that is a file', async () => {
    const result = await devOp(['start', '--memory', '--port', '0', '--json', '--templates', BIN]);
    expectUsageError(result, `--templates ${BIN}`);
  });

  it('--open with no browser to open prints the URL to open on stderr', async () => {
    // xdg-open with no desktop falls back to $BROWSER, here a command that fails.
    const proc = execa('node', [BIN, 'start', '--memory', '--port', '0', '--json', '--quiet', '--open'], {
      reject: false,
      env: { NO_COLOR: '1', BROWSER: 'false', DISPLAY: '', WAYLAND_DISPLAY: '', XDG_CURRENT_DESKTOP: '', DESKTOP_SESSION: '' },
    });
    let err = '';
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    const said = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      proc.stderr!.on('data', (c: Buffer) => {
        err += c.toString();
        if (err.includes('\n')) {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
    proc.kill('SIGTERM');
    await proc;
    const { issuer } = JSON.parse(out.split('\n')[0]!) as { issuer: string };
    expect(said, 'nothing on stderr').toBe(true);
    expect(err).toContain(`open ${issuer} yourself`);
  });
});
