/**
 * dev-op under test, through its programmatic API (dist/index.js, what a test's globalSetup uses).
 * argv[2] is JSON: { memory?: true, data?: path, autoLogin?: 'alice' }. Prints one ready line.
 * With an IPC channel it answers { cmd: 'stats' } with the store's write diagnostics.
 */
import { startDevOp } from '../../dist/index.js';
import { CC, WEB, WEB_JWT } from '../lib/fixture.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');
const server = await startDevOp({ port: 0, log: 'none', ...options });

async function addClientOnce(client) {
  if (!(await server.store.getClient(client.client_id))) await server.store.addClient(client);
}
await addClientOnce({
  client_id: CC.id, client_secret: CC.secret, redirect_uris: [], post_logout_redirect_uris: [],
  grant_types: ['client_credentials'], response_types: [], token_endpoint_auth_method: 'client_secret_basic', scope: CC.scope,
});
for (const [web, format] of [[WEB, 'opaque'], [WEB_JWT, 'jwt']]) {
  await addClientOnce({
    client_id: web.id, client_secret: web.secret, redirect_uris: [web.redirectUri], post_logout_redirect_uris: [],
    grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic',
    access_token_format: format,
  });
}
await server.store.flush();

process.on('message', async (m) => {
  if (m?.cmd === 'stats') {
    const store = server.store;
    process.send({ id: m.id, writes: store.writeStats?.writes ?? 0, writeStats: store.writeStats ?? null });
  } else if (m?.cmd === 'gc') {
    // Only with --expose-gc (bench/cases/token-cost.mjs): memory measured after a full collection.
    globalThis.gc?.();
    const { heapUsed, heapTotal, external } = process.memoryUsage();
    process.send({ id: m.id, heapUsed, heapTotal, external });
  } else if (m?.cmd === 'flush') {
    const t = performance.now();
    await server.store.flush();
    process.send({ id: m.id, ms: performance.now() - t });
  }
});
process.once('SIGTERM', () => server.stop().then(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ event: 'ready', port: server.port, issuer: server.issuer })}\n`);
