import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/** A certificate PEM parsed by node:crypto, or undefined when it is not one. */
export function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

export function parsePrivateKey(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

/** Whether `cert` is valid from now until at least `marginDays` from now. */
export function validFor(cert: X509Certificate, now: Date, marginDays: number): boolean {
  return Date.parse(cert.validFrom) <= now.getTime() && Date.parse(cert.validTo) > now.getTime() + marginDays * 86_400_000;
}

/** Whether the certificate's subjectAltName names `host` (RFC 6125 6.4 for names, 6.2.1 for IPs). */
export function covers(cert: X509Certificate, host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return isIP(bare) ? cert.checkIP(bare) !== undefined : cert.checkHost(bare, { subject: 'never' }) !== undefined;
}

/** The hosts a server certificate for `issuerHost` must name: the loopback names and the issuer's. */
export function namesFor(issuerHost: string): { dns: string[]; ip: string[] } {
  const bare = issuerHost.replace(/^\[|\]$/g, '').toLowerCase();
  const dns = ['localhost'];
  const ip = ['127.0.0.1', '::1'];
  if (isIP(bare)) {
    if (!ip.includes(bare)) ip.push(bare);
  } else if (!dns.includes(bare)) {
    dns.push(bare);
  }
  return { dns, ip };
}
