import { KeyObject, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';

/** A certificate and its private key, both PEM. */
export interface PemPair {
  cert: string;
  key: string;
}

// ECDSA P-256: a key pair costs well under a millisecond (RSA-2048 ≈ 150 ms) and every TLS client
// in use accepts it.
const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
/** The CA outlives many leaves, so that trusting it once (browser, NODE_EXTRA_CA_CERTS) lasts. */
const CA_DAYS = 3650;
/** Under the 398 days browsers allow a server certificate (CA/Browser Forum BR 6.3.2). */
const LEAF_DAYS = 397;

/**
 * @peculiar/x509 (node:crypto reads certificates but cannot issue them) is loaded only here, only
 * when a certificate must be made: `dev-op start` without --https, or with its files in place,
 * never pays for it. Its dependency injection (tsyringe) needs the Reflect metadata polyfill first.
 */
async function x509Library() {
  await import('reflect-metadata');
  return import('@peculiar/x509');
}

/** A positive serial of 16 random bytes (RFC 5280 4.1.2.2: unique per CA, at most 20 octets). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0]! &= 0x7f;
  return bytes.toString('hex');
}

function keyPem(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** A self-signed CA allowed to sign server certificates only (RFC 5280 4.2.1.9 pathLen 0, 4.2.1.3). */
export async function issueCa(now: Date): Promise<PemPair> {
  const x509 = await x509Library();
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: `CN=dev-op local CA ${now.toISOString().slice(0, 10)}, O=dev-op (development only)`,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY),
    keys,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: keyPem(keys.privateKey) };
}

/** A server certificate for `names` (DNS names or IP addresses) signed by `ca`. */
export async function issueLeaf(ca: PemPair, names: { dns: string[]; ip: string[] }, now: Date): Promise<PemPair> {
  const x509 = await x509Library();
  const caCert = new x509.X509Certificate(ca.cert);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8', createPrivateKey(ca.key).export({ type: 'pkcs8', format: 'der' }), EC, false, ['sign'],
  );
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: `CN=${names.dns[0] ?? names.ip[0] ?? 'localhost'}, O=dev-op (development only)`,
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + LEAF_DAYS * DAY),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: EC,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      // RFC 6125 6.4.4: clients match names against the SAN only, never the CN.
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: 'dns' as const, value })),
        ...names.ip.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { cert: cert.toString('pem'), key: keyPem(keys.privateKey) };
}
