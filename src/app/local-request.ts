import { request } from 'node:http';
import { connectPinned } from '../util/pinned-tls.js';

export interface LocalAnswer {
  status: number;
  location?: string;
  body: string;
}

/** Where this process reaches a dev-op server on this machine: the address it listens on, a loopback one for a wildcard or a name. */
export function connectHost(listenHost: string | undefined): string {
  if (listenHost === undefined || listenHost === '0.0.0.0' || listenHost === 'localhost') return '127.0.0.1';
  if (listenHost === '::' || listenHost === '[::]') return '::1';
  return listenHost.replace(/^\[(.*)\]$/, '$1');
}

/** Where the instance listens; with `tlsFingerprint`, over TLS pinned to its certificate (--https). */
export interface LocalTarget {
  host: string;
  port: number;
  tlsFingerprint?: string;
}

/** One HTTP request to the instance itself, over loopback, redirects not followed. */
export async function localRequest(
  target: LocalTarget,
  method: 'GET' | 'POST',
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<LocalAnswer> {
  const socket = target.tlsFingerprint === undefined ? undefined : await connectPinned(target.host, target.port, target.tlsFingerprint);
  return new Promise((resolve, reject) => {
    // A known length, so the body goes out with the headers rather than as chunks after them.
    const sent = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = request({
      host: target.host, port: target.port, method, path, headers: sent, ...(socket ? { createConnection: () => socket } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        ...(res.headers.location ? { location: res.headers.location } : {}),
        body: Buffer.concat(chunks).toString('utf8'),
      }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
