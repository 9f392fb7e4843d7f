import { connect, type TLSSocket } from 'node:tls';

/**
 * A TLS connection to a local server whose certificate is known by its SHA-256 fingerprint (from
 * a 0600 file the server wrote): pinning replaces CA validation, so a certificate from any CA, or
 * one no CA store trusts, is accepted exactly when it is that one — and nothing is sent before.
 */
export function connectPinned(host: string, port: number, fingerprint256: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    // rejectUnauthorized off only because the fingerprint check below is stricter than a CA chain.
    const socket = connect({ host, port, servername: 'localhost', rejectUnauthorized: false }, () => {
      if (socket.getPeerCertificate().fingerprint256 === fingerprint256) {
        resolve(socket);
      } else {
        socket.destroy();
        reject(new Error(`the server on port ${port} presented a certificate other than the one its owner file names`));
      }
    });
    socket.once('error', reject);
  });
}
