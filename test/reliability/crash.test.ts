import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devOp, tempDir } from '../helpers/cli.js';
import { clientCredentials, prng, readDataFile, startServerProcess } from './support.js';

/**
 * kill -9 the server in the middle of write bursts, round after round, on one data file.
 * "Acknowledged" means a CLI command exited 0 (or the admin endpoint it uses answered 200): its
 * change must be in the file, whatever happens to the server afterwards, and the file must always
 * parse. The next start must work at once (the dead server's lock does not block it).
 */

const ROUNDS = Number(process.env.DEV_OP_CRASH_ROUNDS ?? 10);
const CLI_WRITES_PER_ROUND = 3;
const LOADER = { id: 'loader', secret: 'loader-secret' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('kill -9 during write bursts', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let data: string;

  beforeAll(async () => {
    dir = await tempDir();
    data = join(dir.path, 'db.json');
    const add = await devOp(['client', 'add', '--id', LOADER.id, '--secret', LOADER.secret, '--grant', 'client_credentials', '--data', data]);
    expect(add.exitCode, add.stderr).toBe(0);
  });
  afterAll(() => dir.cleanup());

  it(`${ROUNDS} rounds: the file always parses and holds every acknowledged write`, async () => {
    const rng = prng(0xc0ffee);
    const acknowledged: string[] = [];
    const acknowledgedUsers: string[] = [];
    let unacknowledged = 0;
    let killedMidBurst = 0;
    let viaServer = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const started = Date.now();
      const server = await startServerProcess(['--data', data, '--quiet']);
      // The restart after a kill -9 must not wait for the dead server's lock to go stale.
      if (round > 0) expect(Date.now() - started).toBeLessThan(5000);
      const base = `http://127.0.0.1:${server.ready.port}`;
      let loading = true;
      const load = (async () => {
        while (loading) await clientCredentials(base, LOADER.id, LOADER.secret).catch(() => undefined);
      })();
      const ids = Array.from({ length: CLI_WRITES_PER_ROUND }, (_, i) => `r${round}-w${i}`);
      const writes = ids.map(async (id) => {
        await sleep(rng.int(200));
        const result = await devOp(['client', 'add', '--id', id, '--redirect-uri', `http://localhost:3000/${id}`, '--data', data]);
        return { id, result, beforeKill: !killed };
      });
      // Between the CLI's writes, the same admin endpoint it uses, as fast as it answers.
      const { adminToken } = JSON.parse(await readFile(`${data}.owner.json`, 'utf8'));
      let posting = true;
      let killed = false;
      const direct = (async () => {
        for (let i = 0; posting; i++) {
          const username = `r${round}-a${i}`;
          const res = await fetch(`${base}/_admin`, {
            method: 'POST',
            headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ op: 'user.add', input: { username } }),
          }).catch(() => undefined);
          if (res?.status === 200) acknowledgedUsers.push(username);
          if (!res) break;
        }
      })();
      // Kill in the middle of the burst: once the server has acknowledged writes, at a random moment.
      const acked = acknowledgedUsers.length;
      for (let waited = 0; acknowledgedUsers.length === acked && waited < 5000; waited += 10) await sleep(10);
      await sleep(rng.int(600));
      const before = await Promise.race([Promise.all(writes).then(() => 'done'), Promise.resolve('running')]);
      if (before === 'running') killedMidBurst++;
      killed = true;
      server.proc.kill('SIGKILL');
      await server.proc;
      loading = false;
      posting = false;
      await Promise.all([load, direct]);
      for (const { id, result, beforeKill } of await Promise.all(writes)) {
        if (result.exitCode === 0 && beforeKill) viaServer++;
        if (result.exitCode === 0) acknowledged.push(id);
        else {
          unacknowledged++;
          // Not acknowledged is fine; a stack trace is not.
          expect(result.stderr.trim().split('\n'), result.stderr).toHaveLength(1);
        }
      }
      const file = await readDataFile(data); // throws if torn
      const present = new Set(file.clients.map((c: { client_id: string }) => c.client_id));
      expect(acknowledged.filter((id) => !present.has(id)), `round ${round}: acknowledged CLI writes missing`).toEqual([]);
      const users = new Set(file.users.map((u: { username: string }) => u.username));
      expect(acknowledgedUsers.filter((u) => !users.has(u)), `round ${round}: acknowledged admin writes missing`).toEqual([]);
    }
    console.log(
      `crash: ${ROUNDS} kill -9 rounds (${killedMidBurst} with CLI commands in flight); acknowledged writes checked: ` +
        `${acknowledged.length} CLI (${viaServer} acknowledged by the server before the kill, the rest written by the CLI itself after it) + ` +
        `${acknowledgedUsers.length} admin endpoint; ${unacknowledged} CLI commands not acknowledged`,
    );
    // The admin-endpoint loop always has a write in flight at the kill; CLI commands were too at least once.
    expect(acknowledgedUsers.length).toBeGreaterThanOrEqual(ROUNDS);
    expect(killedMidBurst).toBeGreaterThan(0);
    expect(acknowledged.length).toBeGreaterThan(0);
    // After the last kill, a command with no server running writes the file itself, at once.
    const last = await devOp(['user', 'add', 'after-crash', '--data', data]);
    expect(last.exitCode, last.stderr).toBe(0);
    expect((await readDataFile(data)).users.map((u: { username: string }) => u.username)).toContain('after-crash');
  }, 120_000);
});
