import { access, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { issuerName, seededView, type IssuerView } from '../admin/issuers.js';
import { AlreadyExistsError, NotFoundError } from '../errors/app-errors.js';
import { FileStore } from '../store/file-store.js';
import { sendToServer } from './admin-client.js';
import { issuerDataPath, issuerNames } from './issuer-paths.js';
import { openDataStore } from './open-data-store.js';
import { ownerIsAlive, readOwner } from './owner-file.js';
import type { Outcome } from './run-on-data.js';

/**
 * `dev-op issuer add|list|remove` on a data file: through the server that owns it (it starts or
 * stops serving the issuer at once), else on the files themselves — one data file per named
 * issuer beside the default one, created and removed under its own lock.
 */

export type IssuerAction = 'add' | 'list' | 'remove';

const exists = (path: string) => access(path).then(() => true, () => false);


/** A data file's remembered issuer (its last server's); for the default one, a new named issuer's tokens name `<it>/<name>`. */
async function rememberedIssuer(path: string): Promise<string | undefined> {
  if (!(await exists(path))) return undefined;
  const store = await FileStore.snapshot(path);
  try {
    return await store.getIssuer();
  } finally {
    await store.close();
  }
}

async function addOnFile(dataPath: string, name: string): Promise<IssuerView> {
  const path = issuerDataPath(dataPath, name);
  if (await exists(path)) throw new AlreadyExistsError(`issuer ${name} exists already (${path})`);
  const base = await rememberedIssuer(dataPath);
  const store = await openDataStore({ path, lockWaitMs: 5000 });
  try {
    const { seed } = await import('../admin/seed.js');
    const seeded = await seed(store);
    const issuer = base === undefined ? undefined : `${base}/${name}`;
    if (issuer !== undefined) await store.setIssuer(issuer);
    return { name, ...(issuer ? { issuer } : {}), seeded: seededView(seeded) };
  } finally {
    await store.close();
  }
}

async function listOnFile(dataPath: string): Promise<IssuerView[]> {
  return Promise.all((await issuerNames(dataPath)).map(async (name) => {
    const issuer = await rememberedIssuer(issuerDataPath(dataPath, name));
    return { name, ...(issuer ? { issuer } : {}) };
  }));
}

async function removeOnFile(dataPath: string, name: string): Promise<IssuerView> {
  const path = issuerDataPath(dataPath, name);
  if (!(await exists(path))) throw new NotFoundError(`no issuer ${name} on ${dataPath} (see \`dev-op issuer list\`)`);
  // Taking its lock proves no other process is using it (a server serving it would refuse).
  const store = await openDataStore({ path, lockWaitMs: 5000 });
  let issuer: string | undefined;
  try {
    issuer = await store.getIssuer();
  } finally {
    await store.close();
  }
  await rm(path, { force: true });
  return { name, ...(issuer ? { issuer } : {}) };
}

export async function runIssuerAction(dataPath: string, action: IssuerAction, given?: string): Promise<Outcome<IssuerView | IssuerView[]>> {
  const path = resolve(dataPath);
  const name = action === 'list' ? '' : issuerName(given);
  const owner = await readOwner(path);
  if (owner?.adminToken && owner.port && ownerIsAlive(owner)) {
    const sent = await sendToServer(dataPath, owner, `issuer.${action}`, action === 'list' ? {} : { name });
    if (sent) return { result: sent.result as IssuerView | IssuerView[], via: 'server' };
  }
  if (action === 'add') return { result: await addOnFile(path, name), via: 'file' };
  if (action === 'remove') return { result: await removeOnFile(path, name), via: 'file' };
  return { result: await listOnFile(path), via: 'file' };
}
