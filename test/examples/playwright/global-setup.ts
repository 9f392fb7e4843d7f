import { startDevOp } from 'dev-op';
import { startApp } from './app.js';

// Start dev-op (imported by its package name, as an app would), register the app as a client,
// start the app, and hand both URLs to the tests: process.env set here reaches the workers.
export default async function globalSetup(): Promise<() => Promise<void>> {
  const op = await startDevOp({
    port: 0,
    memory: true,
  });
  await op.users.add({ username: 'dana', name: 'Dana Tester' }) // no password: her card signs her in;
  // The app's redirect_uri names its port, known once it listens: start it, then register it.
  const secret = 'shop-secret';
  const app = await startApp(op.issuer, 'shop', secret);
  await op.clients.add({ client_id: 'shop', client_secret: secret, redirect_uris: [`${app.url}/cb`], skip_consent: true });
  process.env.APP_URL = app.url;
  process.env.ISSUER = op.issuer;
  return async () => {
    await app.close();
    await op.stop();
  };
}
