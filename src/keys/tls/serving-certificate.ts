import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { PemPair } from './issue.js';
import { localCaFiles, localCertificates, memoryCertificates } from './local-ca.js';
import { ownCertificate } from './own-certificate.js';

/** `true`: dev-op's local CA; or the user's certificate and key, each as PEM text or a PEM file's path. */
export type HttpsOption = true | PemPair;

/** What the server presents, and what a client must trust to accept it. */
export interface ServingCertificate extends PemPair {
  /** The CA that issued `cert` when dev-op made it (absent for a certificate the user brought). */
  ca?: { pem: string; path: string };
  /** SHA-256 fingerprint of `cert`, as node prints it (AA:BB:…). */
  fingerprint: string;
  /** Remove what this start left in a temp folder (--memory). */
  dispose(): Promise<void>;
}

/**
 * The certificate for an https server. dev-op's own lives in a `tls/` folder beside the data file
 * (made once, reused while good); with `memory` it is made afresh in memory and only the CA
 * certificate (public) is written, to a temp folder removed on stop, for NODE_EXTRA_CA_CERTS.
 */
export async function servingCertificate(
  option: HttpsOption,
  where: { dataPath: string; memory: boolean; issuerHost: string; now: Date },
): Promise<ServingCertificate> {
  const nothing = async () => undefined;
  if (option !== true) {
    const own = await ownCertificate(option, where.issuerHost, where.now);
    return { ...own, fingerprint: new X509Certificate(own.cert).fingerprint256, dispose: nothing };
  }
  if (!where.memory) {
    // Absolute: the printed path is pasted into NODE_EXTRA_CA_CERTS from any folder.
    const dir = resolve(dirname(where.dataPath), 'tls');
    const { ca, leaf } = await localCertificates(dir, where.issuerHost, where.now);
    return { ...leaf, ca: { pem: ca.cert, path: localCaFiles(dir).ca }, fingerprint: new X509Certificate(leaf.cert).fingerprint256, dispose: nothing };
  }
  const { ca, leaf } = await memoryCertificates(where.issuerHost, where.now);
  const dir = await mkdtemp(join(tmpdir(), 'dev-op-tls-'));
  const path = join(dir, 'ca.pem');
  await writeFile(path, ca.cert);
  return {
    ...leaf, ca: { pem: ca.cert, path }, fingerprint: new X509Certificate(leaf.cert).fingerprint256,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
