import { X509Certificate } from 'node:crypto';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevOp, type DevOp } from '../../src/index.js';
import { issueCa, issueLeaf } from '../../src/keys/tls/issue.js';
import { tempDir } from '../helpers/cli.js';
import { confidentialClient } from '../helpers/op.js';
import { FormAgent, formAction, inputValue } from '../helpers/browser-like.js';
import { clientCredentialsInChild, httpsFetch, httpsGet } from '../helpers/https.js';
import { authorize, page } from './support.js';

describe('startDevOp({ https })', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(options: Parameters<typeof startDevOp>[0]): Promise<DevOp> {
    const server = await startDevOp({ port: 0, ...options });
    cleanups.push(() => server.stop());
    return server;
  }

  it('with memory: an https issuer whose CA is on the handle and in a temp file only while it runs', async () => {
    const dir = await tempDir();
    cleanups.push(dir.cleanup);
    const server = await start({ memory: true, https: true, data: join(dir.path, 'db.json') });
    expect(server.issuer).toBe(`https://localhost:${server.port}`);
    const ca = server.tls!.ca!;
    expect(ca.pem).toContain('-----BEGIN CERTIFICATE-----');
    expect(new X509Certificate(ca.pem).ca).toBe(true);
    const res = await httpsGet(`${server.issuer}/.well-known/openid-configuration`, ca.pem);
    expect(JSON.parse(res.body).issuer).toBe(server.issuer);
    // The documented user path: a separate node process trusting the CA file runs openid-client.
    await server.store.addClient(confidentialClient({ client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'] }));
    const rp = await clientCredentialsInChild(server.issuer, 'svc', 'svc-secret', { NODE_EXTRA_CA_CERTS: ca.path });
    expect(rp.exitCode, rp.stderr).toBe(0);
    expect(JSON.parse(rp.stdout).issuer).toBe(server.issuer);
    // --memory writes nothing in the data folder.
    expect(await readdir(dir.path)).toEqual([]);
    await server.stop();
    await expect(access(ca.path)).rejects.toThrow();
  });

  it('runs the home page playground (an RP inside the OP) over its own TLS socket', async () => {
    const server = await start({ memory: true, https: true });
    const agent = new FormAgent(httpsFetch(server.tls!.ca!.pem));
    const home = await page(agent, server.issuer);
    const begun = await agent.fetch(formAction(home, /\/playground\/start$/)!, {
      form: { csrf: inputValue(home, 'csrf')!, client_id: 'dev-op-playground', scope_openid: '1', scope_profile: '1' },
    });
    expect(begun.status).toBe(303);
    const callback = await authorize(agent, begun.headers.get('location')!);
    expect(callback.origin + callback.pathname).toBe(`${server.issuer}/playground/callback`);
    const result = await agent.fetch(callback.href);
    expect(result.status).toBe(200);
    const html = await result.text();
    expect(html).toContain('What dev-op playground receives');
    expect(html).not.toMatch(/discovery answered|no playground run/);
  });

  it('serves a certificate given as PEM text', async () => {
    const now = new Date();
    const ca = await issueCa(now);
    const leaf = await issueLeaf(ca, { dns: ['localhost'], ip: ['127.0.0.1', '::1'] }, now);
    const server = await start({ memory: true, https: { cert: leaf.cert, key: leaf.key } });
    expect(server.tls).toEqual({ fingerprint: new X509Certificate(leaf.cert).fingerprint256 });
    const res = await httpsGet(`https://127.0.0.1:${server.port}/.well-known/openid-configuration`, ca.cert);
    expect(JSON.parse(res.body).issuer).toBe(`https://localhost:${server.port}`);
  });

  it('refuses a key that does not belong to the certificate before listening', async () => {
    const now = new Date();
    const ca = await issueCa(now);
    const leaf = await issueLeaf(ca, { dns: ['localhost'], ip: [] }, now);
    const other = await issueLeaf(ca, { dns: ['localhost'], ip: [] }, now);
    await expect(startDevOp({ port: 0, memory: true, https: { cert: leaf.cert, key: other.key } }))
      .rejects.toThrow('the given key is not the private key of the given certificate');
  });
});
