import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { covers, namesFor, parseCertificate, parsePrivateKey, validFor } from './check.js';
import { issueCa, issueLeaf, type PemPair } from './issue.js';

/** The files of the local CA and its server certificate, in one folder. */
export function localCaFiles(dir: string) {
  return { ca: join(dir, 'ca.pem'), caKey: join(dir, 'ca-key.pem'), cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
}

/** Renew this long before expiry, so that a long-running server does not cross it. */
const MARGIN_DAYS = 30;

async function readPair(cert: string, key: string): Promise<PemPair | undefined> {
  try {
    return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
  } catch {
    return undefined;
  }
}

/** A CA pair still usable to sign: parses, its key matches, not near expiry. */
function usableCa(pair: PemPair | undefined, now: Date): pair is PemPair {
  const cert = pair && parseCertificate(pair.cert);
  const key = pair && parsePrivateKey(pair.key);
  return !!cert && !!key && cert.ca && cert.checkPrivateKey(key) && validFor(cert, now, MARGIN_DAYS);
}

/** A server certificate still usable: signed by this CA, its key matches, names every host, not near expiry. */
function usableLeaf(pair: PemPair | undefined, ca: PemPair, names: { dns: string[]; ip: string[] }, now: Date): pair is PemPair {
  const cert = pair && parseCertificate(pair.cert);
  const key = pair && parsePrivateKey(pair.key);
  const caCert = parseCertificate(ca.cert);
  return !!cert && !!key && !!caCert && cert.checkPrivateKey(key) && cert.verify(caCert.publicKey) &&
    validFor(cert, now, MARGIN_DAYS) && [...names.dns, ...names.ip].every((host) => covers(cert, host));
}

/**
 * The local CA and a server certificate for `issuerHost` (and the loopback names) in `dir`: read
 * when still good, else made once and kept. The CA survives a new server certificate, so that a
 * browser or NODE_EXTRA_CA_CERTS that trusts it keeps trusting.
 */
export async function localCertificates(dir: string, issuerHost: string, now: Date): Promise<{ ca: PemPair; leaf: PemPair }> {
  const files = localCaFiles(dir);
  const names = namesFor(issuerHost);
  const storedCa = await readPair(files.ca, files.caKey);
  const ca = usableCa(storedCa, now) ? storedCa : undefined;
  const storedLeaf = ca && (await readPair(files.cert, files.key));
  if (ca && usableLeaf(storedLeaf, ca, names, now)) return { ca, leaf: storedLeaf };

  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Private keys in this folder must never reach a repository, wherever the data folder is.
  await writeFile(join(dir, '.gitignore'), '*\n');
  const newCa = ca ?? (await issueCa(now));
  if (!ca) await writePair(files.ca, files.caKey, newCa);
  const leaf = await issueLeaf(newCa, names, now);
  await writePair(files.cert, files.key, leaf);
  return { ca: newCa, leaf };
}

/** Certificates are public; private keys are 0600 (chmod too: writeFile keeps an existing file's mode). */
async function writePair(certPath: string, keyPath: string, pair: PemPair): Promise<void> {
  await writeFile(keyPath, pair.key, { mode: 0o600 });
  await chmod(keyPath, 0o600);
  await writeFile(certPath, pair.cert);
}

/** The same pair, made in memory only (--memory: nothing in the data folder). */
export async function memoryCertificates(issuerHost: string, now: Date): Promise<{ ca: PemPair; leaf: PemPair }> {
  const ca = await issueCa(now);
  return { ca, leaf: await issueLeaf(ca, namesFor(issuerHost), now) };
}
