import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../errors/app-errors.js';
import { covers, parseCertificate, parsePrivateKey, validFor } from './check.js';
import type { PemPair } from './issue.js';

/** A certificate or key given as PEM text, or else as the path of a PEM file. */
async function pemOrFile(value: string, flag: string, noun: string): Promise<{ pem: string; label: string }> {
  if (value.includes('-----BEGIN ')) return { pem: value, label: `the given ${noun}` };
  try {
    return { pem: await readFile(value, 'utf8'), label: `${flag} ${value}` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read ${flag} ${value}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code ?? 'error'}`);
  }
}

/**
 * A certificate the user brings (--cert/--key, e.g. from mkcert): checked before listening, so a
 * mistake is one clear sentence at start rather than a TLS handshake failure in every client.
 */
export async function ownCertificate(given: PemPair, issuerHost: string, now: Date): Promise<PemPair> {
  const cert = await pemOrFile(given.cert, '--cert', 'certificate');
  const key = await pemOrFile(given.key, '--key', 'key');
  const x509 = parseCertificate(cert.pem);
  if (!x509) throw new ConfigError(`${cert.label} is not a PEM certificate (-----BEGIN CERTIFICATE-----)`);
  const privateKey = parsePrivateKey(key.pem);
  if (!privateKey) throw new ConfigError(`${key.label} is not an unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)`);
  if (!x509.checkPrivateKey(privateKey)) {
    const whose = cert.label.startsWith('the given') ? cert.label : `the certificate in ${cert.label}`;
    throw new ConfigError(`${key.label} is not the private key of ${whose}`);
  }
  if (!validFor(x509, now, 0)) throw new ConfigError(`${cert.label} is not valid now (valid from ${x509.validFrom} to ${x509.validTo})`);
  if (!covers(x509, issuerHost)) {
    throw new ConfigError(`${cert.label} does not name ${issuerHost}, the issuer's host, in its subjectAltName; clients would refuse it`);
  }
  return { cert: cert.pem, key: key.pem };
}
