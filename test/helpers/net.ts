import { createServer } from 'node:net';

/** A loopback port free right now (for flags that need the port before the server starts, e.g. an --issuer). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  return port;
}
