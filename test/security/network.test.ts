import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOp, type DevOp } from '../../src/index.js';
import { confidentialClient } from '../helpers/op.js';
import { rawHttp, startServerProcess, type RawResponse, type ServerProcess } from '../reliability/support.js';

/**
 * What the network can reach: loopback only by default; a wildcard address is loud about it;
 * a foreign Host header (DNS rebinding) is refused; X-Forwarded-* is ignored unless trusted.
 */

/** Local addresses listening on `port`, from /proc/net/tcp{,6} (Linux), e.g. ['127.0.0.1', '::1']. */
function listeningAddresses(port: number): string[] | undefined {
  if (!existsSync('/proc/net/tcp')) return undefined;
  const out: string[] = [];
  for (const [file, v6] of [['/proc/net/tcp', false], ['/proc/net/tcp6', true]] as const) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [hex, portHex] = local.split(':');
      if (parseInt(portHex!, 16) !== port) continue;
      // Each 32-bit word is little-endian.
      const words = hex!.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
      if (!v6) out.push(words[0]!.match(/../g)!.map((b) => parseInt(b, 16)).join('.'));
      else {
        const groups = words.join('').match(/.{4}/g)!.map((g) => parseInt(g, 16).toString(16));
        out.push(groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::'));
      }
    }
  }
  return out;
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const get = (port: number, host: string | undefined, path = '/.well-known/openid-configuration', extra: [string, string][] = []) =>
  rawHttp(port, { method: 'GET', target: path, headers: [...(host === undefined ? [] : [['Host', host] as [string, string]]), ...extra] });

function expectRefusedHost(res: RawResponse): void {
  expect(res.status).toBe(421);
  const body = JSON.parse(res.body) as { error: string; error_description: string };
  expect(body.error).toBe('invalid_request');
  expect(body.error_description).toMatch(/DNS rebinding/);
}

describe('default bind: loopback only', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess(['--memory', '--quiet']);
  });
  afterAll(() => server.stop());

  it('listens on 127.0.0.1 (and ::1) only, never a wildcard or an external address', async () => {
    const { port } = server.ready;
    const addresses = listeningAddresses(port);
    if (addresses) {
      expect(addresses).toContain('127.0.0.1');
      for (const a of addresses) expect(['127.0.0.1', '::1']).toContain(a);
    }
    expect(await accepts('127.0.0.1', port)).toBe(true);
    const external = Object.values(networkInterfaces()).flat().filter((a) => a && !a.internal && a.family === 'IPv4').map((a) => a!.address);
    for (const address of external) expect(await accepts(address, port), `reachable on ${address}`).toBe(false);
    // At least one of the two checks ran.
    expect(addresses !== undefined || external.length > 0).toBe(true);
  });

  it('DNS rebinding: a Host that is not the issuer or a loopback name gets 421 on every kind of route', async () => {
    const { port } = server.ready;
    const paths = ['/.well-known/openid-configuration', '/jwks', '/auth?client_id=app', '/', '/device', '/session/end', '/me', '/assets/style.css'];
    let probes = 0;
    for (const host of ['evil.example', `evil.example:${port}`, 'rebind.attacker.test', '127.0.0.1.nip.io', 'localhost.evil.example', `169.254.169.254:${port}`, '0.0.0.0']) {
      for (const path of paths) {
        expectRefusedHost(await get(port, host, path));
        probes++;
      }
      const token = await rawHttp(port, {
        method: 'POST', target: '/token', headers: [['Host', host], ['Content-Type', 'application/x-www-form-urlencoded']], body: 'grant_type=client_credentials',
      });
      expectRefusedHost(token);
      probes++;
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'localhost', `LOCALHOST:${port}`, `app.localhost:${port}`]) {
      expect((await get(port, host)).status, host).toBe(200);
      probes++;
    }
    console.log(`dns rebinding: ${probes} Host probes`);
  });

  it('X-Forwarded-* is ignored without --trust-proxy: it neither bypasses the Host check nor changes anything', async () => {
    const { port } = server.ready;
    const forged: [string, string][] = [['X-Forwarded-Host', 'evil.example'], ['X-Forwarded-Proto', 'https'], ['X-Forwarded-For', '203.0.113.9']];
    const res = await get(port, `localhost:${port}`, '/.well-known/openid-configuration', forged);
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('evil.example');
    expect(res.body).not.toContain('https://');
    expectRefusedHost(await get(port, 'evil.example', '/.well-known/openid-configuration', [['X-Forwarded-Host', `localhost:${port}`]]));
    // An http issuer's cookies stay non-Secure whatever X-Forwarded-Proto says.
    const page = await get(port, `localhost:${port}`, '/', forged);
    expect(page.headers['set-cookie'] ?? '').not.toMatch(/secure/i);
  });
});

describe('--host 0.0.0.0', () => {
  it('warns on stderr that the server is reachable from other machines', async () => {
    const server = await startServerProcess(['--memory', '--quiet', '--host', '0.0.0.0']);
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(server.stderr()).toMatch(/warning: listening on 0\.0\.0\.0, reachable from other machines/);
      // The Host check still holds on a wildcard bind.
      expectRefusedHost(await get(server.ready.port, 'evil.example'));
    } finally {
      await server.stop();
    }
  });

  it('loopback --host values do not warn', async () => {
    const server = await startServerProcess(['--memory', '--quiet', '--host', '127.0.0.1']);
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect(server.stderr()).not.toMatch(/warning/);
    } finally {
      await server.stop();
    }
  });
});

describe('--trust-proxy', () => {
  let server: DevOp;
  beforeAll(async () => {
    server = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, trustProxy: true, issuer: 'https://op.example.test' });
    await server.store.addClient(confidentialClient());
  });
  afterAll(() => server.stop());

  it('X-Forwarded-Host is the host that is checked, and X-Forwarded-Proto makes the hop secure', async () => {
    const { port } = server;
    // Behind a proxy on this machine (Host a loopback name) or one that passes the Host on: the forwarded host counts.
    expect((await get(port, `127.0.0.1:${port}`, '/.well-known/openid-configuration', [['X-Forwarded-Host', 'op.example.test']])).status).toBe(200);
    expect((await get(port, 'op.example.test', '/.well-known/openid-configuration', [['X-Forwarded-Host', 'op.example.test']])).status).toBe(200);
    expectRefusedHost(await get(port, `127.0.0.1:${port}`, '/.well-known/openid-configuration', [['X-Forwarded-Host', 'evil.example']]));
    const page = await get(port, `127.0.0.1:${port}`, '/', [['X-Forwarded-Host', 'op.example.test'], ['X-Forwarded-Proto', 'https']]);
    expect(page.status).toBe(200);
    expect(page.headers['set-cookie']).toMatch(/secure/i);
  });

  it('X-Forwarded-Host cannot undo the Host check: a rebinding page that adds it is still refused', async () => {
    const { port } = server;
    // A page on evil.example (resolving to this machine) is same-origin with itself: fetch() may add
    // X-Forwarded-Host without a preflight. Its Host header must pass the check too.
    for (const path of ['/.well-known/openid-configuration', '/jwks', '/']) {
      expectRefusedHost(await get(port, 'evil.example', path, [['X-Forwarded-Host', 'op.example.test']]));
      expectRefusedHost(await get(port, `evil.example:${port}`, path, [['X-Forwarded-Host', `localhost:${port}`]]));
    }
  });

  it('dev-op start --trust-proxy turns it on from the command line', async () => {
    const server = await startServerProcess(['--memory', '--quiet', '--trust-proxy']);
    try {
      const { port } = server.ready;
      expectRefusedHost(await get(port, `localhost:${port}`, '/jwks', [['X-Forwarded-Host', 'evil.example']]));
      expect((await get(port, `127.0.0.1:${port}`, '/jwks', [['X-Forwarded-Host', `localhost:${port}`]])).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
