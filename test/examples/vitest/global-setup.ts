import type { TestProject } from 'vitest/node';
import { startDevOp, type DevOp } from 'dev-op';

// One OP for the whole run, in memory, holding exactly the clients and users in fixture.json.
// `startDevOp` is imported by the package's name, as an app's test suite would (it loads dist/).
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const op: DevOp = await startDevOp({
    port: 0,
    memory: true,
    autoLogin: 'bob', // the authorization endpoint signs bob in with no page
    fixture: new URL('./fixture.json', import.meta.url).pathname, // what op.reset() goes back to
  });
  project.provide('issuer', op.issuer);
  return () => op.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    issuer: string;
  }
}
