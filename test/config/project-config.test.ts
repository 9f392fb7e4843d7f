import { execa } from 'execa';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envName, mergeStartConfig, parseStartConfig, startConfigFromEnv } from '../../src/config/project-config.js';
import { closest } from '../../src/util/closest.js';
import { BIN, tempDir } from '../helpers/cli.js';

interface Ready {
  issuer: string;
  port: number;
}

/** `dev-op start --json` in `cwd` with `env`: the ready line, or the failure. */
async function start(cwd: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ ready?: Ready; exitCode?: number; stderr: string }> {
  const proc = execa('node', [BIN, 'start', '--json', ...args], { cwd, reject: false, env: { NO_COLOR: '1', ...env } });
  let stderr = '';
  proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string | undefined>((resolve) => {
    let out = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    void proc.then(() => resolve(undefined));
  });
  if (line === undefined) return { exitCode: (await proc).exitCode, stderr };
  proc.kill('SIGTERM');
  await proc;
  return { ready: JSON.parse(line) as Ready, stderr };
}

describe('project config: dev-op.config.json and "devOp" in package.json', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('flags beat DEV_OP_* variables, which beat the config file, which beats the defaults', async () => {
    await writeFile(join(dir.path, 'dev-op.config.json'), JSON.stringify({ memory: true, port: 0, quiet: true, issuer: 'http://localhost:4101/file' }));
    const table: [string[], Record<string, string>, string][] = [
      [[], {}, 'http://localhost:4101/file'],
      [[], { DEV_OP_ISSUER: 'http://localhost:4101/env' }, 'http://localhost:4101/env'],
      [['--issuer', 'http://localhost:4101/flag'], { DEV_OP_ISSUER: 'http://localhost:4101/env' }, 'http://localhost:4101/flag'],
    ];
    for (const [args, env, issuer] of table) {
      const { ready, stderr } = await start(dir.path, args, env);
      expect(ready?.issuer, `${args.join(' ')} ${JSON.stringify(env)}: ${stderr}`).toBe(issuer);
      // port 0 from the file beat the default 4000.
      expect(ready?.port).not.toBe(4000);
    }
  });

  it('DEV_OP_PORT beats the file and a --port flag beats DEV_OP_PORT', async () => {
    await writeFile(join(dir.path, 'dev-op.config.json'), JSON.stringify({ memory: true, port: 1 }));
    const { ready } = await start(dir.path, [], { DEV_OP_PORT: '0' });
    expect(ready?.port).toBeGreaterThan(1);
    const bad = await start(dir.path, ['--port', '0'], { DEV_OP_PORT: 'not-a-port' });
    // A bad variable is an error even where a flag overrides it: configuration that is wrong should not go unnoticed.
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.trim()).toBe('dev-op: DEV_OP_PORT=not-a-port is not a port number (0-65535)');
  });

  it('a bad config file stops start with one line naming the file and the key (and the key meant)', async () => {
    const file = join(dir.path, 'dev-op.config.json');
    const cases: [unknown, string][] = [
      [{ prot: 4000 }, `${file}: prot: unknown key (did you mean port?)`],
      [{ port: 'abc' }, `${file}: port: must be a port number (0-65535), not "abc"`],
      [{ memory: 'yes' }, `${file}: memory: must be true or false, not "yes"`],
      [{ log: 'xml' }, `${file}: log: must be "pretty" or "json", not "xml"`],
      [[], `${file} must be a JSON object of start options`],
    ];
    for (const [config, message] of cases) {
      await writeFile(file, JSON.stringify(config));
      const result = await start(dir.path, ['--port', '0', '--memory']);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    await writeFile(file, '{ "port": ');
    const broken = await start(dir.path, ['--port', '0', '--memory']);
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toContain(`${file}: not valid JSON`);
  });

  it('reads "devOp" from the nearest package.json, from a subfolder, with paths relative to that package', async () => {
    await writeFile(join(dir.path, 'op.json'), JSON.stringify({ clients: [], users: [{ username: 'zoe' }] }));
    await writeFile(join(dir.path, 'package.json'), JSON.stringify({
      name: 'app', devOp: { memory: true, port: 0, issuer: 'http://localhost:4102/pkg', seed: 'op.json', autoLogin: 'zoe' },
    }));
    const sub = join(dir.path, 'src', 'deep');
    await mkdir(sub, { recursive: true });
    // autoLogin zoe only works if seed op.json was found relative to package.json, not to src/deep.
    const { ready, stderr } = await start(sub);
    expect(ready?.issuer, stderr).toBe('http://localhost:4102/pkg');

    await writeFile(join(dir.path, 'package.json'), JSON.stringify({ name: 'app', devOp: { memroy: true } }));
    const bad = await start(sub, ['--port', '0']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(`${join(dir.path, 'package.json')}: devOp.memroy: unknown key (did you mean memory?)`);
  });

  it('dev-op.config.json wins over package.json in the same folder; a package.json without "devOp" is ignored', async () => {
    await writeFile(join(dir.path, 'package.json'), JSON.stringify({ name: 'app', devOp: { memory: true, port: 0, issuer: 'http://localhost:4103/pkg' } }));
    await writeFile(join(dir.path, 'dev-op.config.json'), JSON.stringify({ memory: true, port: 0, issuer: 'http://localhost:4103/file' }));
    expect((await start(dir.path)).ready?.issuer).toBe('http://localhost:4103/file');
    const plain = join(dir.path, 'plain');
    await mkdir(plain);
    await writeFile(join(plain, 'package.json'), JSON.stringify({ name: 'plain' }));
    // The nearest package.json has no devOp: the dev-op.config.json above still counts.
    expect((await start(plain)).ready?.issuer).toBe('http://localhost:4103/file');
  });
});

describe('project config values', () => {
  it('reads DEV_OP_* variables by their key, booleans as true/false/1/0, paths made absolute; empty means unset', () => {
    expect(envName('autoLogin')).toBe('DEV_OP_AUTO_LOGIN');
    expect(envName('trustProxy')).toBe('DEV_OP_TRUST_PROXY');
    const config = startConfigFromEnv({ DEV_OP_PORT: '0', DEV_OP_MEMORY: '1', DEV_OP_QUIET: 'false', DEV_OP_SEED: 'op.json', DEV_OP_HOST: '' });
    expect(config).toEqual({ port: 0, memory: true, quiet: false, seed: join(process.cwd(), 'op.json') });
    expect(() => startConfigFromEnv({ DEV_OP_MEMORY: 'maybe' })).toThrow('DEV_OP_MEMORY=maybe is not true or false');
    expect(() => startConfigFromEnv({ DEV_OP_LOG: 'xml' })).toThrow('DEV_OP_LOG=xml is not "pretty" or "json"');
  });

  it('resolves paths in a file against its folder, and later layers win key by key', () => {
    expect(parseStartConfig({ data: '.dev-op/db.json', templates: '/abs/t' }, '/proj/dev-op.config.json')).toEqual({ data: '/proj/.dev-op/db.json', templates: '/abs/t' });
    expect(mergeStartConfig({ port: 4000, quiet: false }, { port: 0 }, { issuer: 'http://x' }, { quiet: true })).toEqual({ port: 0, quiet: true, issuer: 'http://x' });
  });

  it('suggests the known name nearest a typo, and nothing for a word far from all of them', () => {
    expect(closest('prot', ['port', 'host', 'issuer'])).toBe('port');
    expect(closest('autologin', ['autoLogin', 'open'])).toBe('autoLogin');
    expect(closest('banana', ['port', 'host', 'issuer'])).toBeUndefined();
  });
});
