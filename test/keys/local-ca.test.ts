import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localCaFiles, localCertificates } from '../../src/keys/tls/local-ca.js';
import { tempDir } from '../helpers/cli.js';

const DAY = 86_400_000;

describe('the local CA kept beside the data file', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(() => dir.cleanup());

  it('renews the server certificate near its expiry, keeping the CA a browser already trusts', async () => {
    const now = new Date();
    const first = await localCertificates(dir.path, 'localhost', now);
    // Read, not remade, while good.
    expect(await localCertificates(dir.path, 'localhost', new Date(now.getTime() + 300 * DAY))).toEqual(first);
    // 30 days before the leaf's 397 run out: a new leaf from the same CA.
    const renewed = await localCertificates(dir.path, 'localhost', new Date(now.getTime() + 370 * DAY));
    expect(renewed.ca).toEqual(first.ca);
    expect(renewed.leaf.cert).not.toBe(first.leaf.cert);
    expect(await readFile(localCaFiles(dir.path).cert, 'utf8')).toBe(renewed.leaf.cert);
  });

  it('makes a new CA (and a new certificate from it) when the old CA is near expiry', async () => {
    const now = new Date();
    const first = await localCertificates(dir.path, 'localhost', now);
    const later = await localCertificates(dir.path, 'localhost', new Date(now.getTime() + 3630 * DAY));
    expect(later.ca.cert).not.toBe(first.ca.cert);
    expect(await readFile(localCaFiles(dir.path).ca, 'utf8')).toBe(later.ca.cert);
  });
});
