import { connect, type TLSSocket } from 'node:tls';

/** The `code` of the error when the server's certificate is not the pinned one. */
export const PIN_MISMATCH = 'ERR_TLS_PIN_MISMATCH';

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
        reject(Object.assign(new Error(`the server on port ${port} presented a certificate other than the one it recorded`), { code: PIN_MISMATCH }));
      }
    });
    socket.once('error', reject);
  });
}
