import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/app-errors.js';
import { emptyData } from '../../src/store/empty-data.js';
import { FileStore } from '../../src/store/file-store.js';
import { migrate } from '../../src/store/migrations.js';
import { SCHEMA_VERSION } from '../../src/store/types.js';

describe('migrate', () => {
  it('passes a current file through', () => {
    expect(migrate(emptyData(), 'db.json')).toEqual(emptyData());
  });

  it('upgrades v0 (no state, no cookie keys) to the current version', () => {
    const v0 = { version: 0, keys: [], clients: [], users: [{ username: 'a', sub: 'a', claims: {} }] };
    expect(migrate(v0, 'db.json')).toEqual({ ...emptyData(), users: v0.users });
  });

  it('v1 to v2: adds meta, and marks the keys v1 made for one client\'s alg (dated 1970) as such', () => {
    const made = { kid: 'k-rs', alg: 'RS256', createdAt: '1970-01-01T00:00:00.000Z', jwk: { kty: 'RSA' } };
    const rotated = { kid: 'k-es', alg: 'ES256', createdAt: '2030-01-01T00:00:00.000Z', jwk: { kty: 'EC' } };
    const v1 = { version: 1, cookieKeys: [], keys: [made, rotated], clients: [], users: [], state: {} };
    expect(migrate(v1, 'db.json')).toEqual({ ...emptyData(), keys: [{ ...made, forRequestedAlg: true }, rotated] });
  });

  it('v3 to v4: adds an empty list of trusted issuers and keeps a hand-added one', () => {
    const v3 = { version: 3, meta: {}, cookieKeys: [], keys: [], clients: [], users: [], state: {} };
    expect(migrate(v3, 'db.json')).toEqual(emptyData());
    const trusted = [{ issuer: 'https://partner.example.com', jwks_uri: 'https://partner.example.com/jwks' }];
    expect(migrate({ ...v3, trustedIssuers: trusted }, 'db.json').trustedIssuers).toEqual(trusted);
  });

  it.each([
    ['null', null, /not a dev-op data file/],
    ['an array', [], /not a dev-op data file/],
    ['no version', { keys: [] }, /not a dev-op data file/],
    ['a string version', { version: '1' }, /not a dev-op data file/],
    ['a negative version', { ...emptyData(), version: -1 }, /not a dev-op data file/],
    ['a newer version', { ...emptyData(), version: SCHEMA_VERSION + 1 }, /written by a newer dev-op/],
    ['a wrong member type', { ...emptyData(), users: {} }, /wrong type for: users/],
  ])('refuses %s with a ConfigError naming the file', (_, raw, message) => {
    expect(() => migrate(raw, '/x/db.json')).toThrow(ConfigError);
    expect(() => migrate(raw, '/x/db.json')).toThrow(message);
    expect(() => migrate(raw, '/x/db.json')).toThrow('/x/db.json');
  });
});

/**
 * A migration path from every version dev-op ever wrote: one fixture per version in fixtures/,
 * named v<N>.json. Bumping SCHEMA_VERSION without a fixture of the new version (and a step from
 * the old one) fails here.
 */
describe('migration path (fixtures of every schema version)', () => {
  const fixture = (version: number): Promise<Record<string, unknown>> =>
    readFile(new URL(`./fixtures/v${version}.json`, import.meta.url), 'utf8').then((text) => JSON.parse(text) as Record<string, unknown>);
  const versions = Array.from({ length: SCHEMA_VERSION + 1 }, (_, v) => v);

  it(`the current version (v${SCHEMA_VERSION}) migrates to itself, unchanged`, async () => {
    const current = await fixture(SCHEMA_VERSION);
    expect(current.version).toBe(SCHEMA_VERSION);
    expect(migrate(structuredClone(current), 'db.json')).toEqual(current);
  });

  it.each(versions.slice(0, -1))('v%i migrates to the current version, keeping keys, clients and users; the result is a fixed point', async (version) => {
    const old = await fixture(version);
    expect(old.version).toBe(version);
    const upgraded = migrate(structuredClone(old), 'db.json');
    expect(upgraded.version).toBe(SCHEMA_VERSION);
    expect(upgraded.keys).toEqual(old.keys);
    expect(upgraded.clients).toEqual(old.clients);
    expect(upgraded.users).toEqual(old.users);
    expect(migrate(structuredClone(upgraded), 'db.json')).toEqual(upgraded);
  });

  it('an old file on disk is read as the current version, stays as it was until a change, then is saved upgraded', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dev-op-migrate-'));
    try {
      const file = join(dir, 'db.json');
      const old = await fixture(0);
      const text = JSON.stringify(old);
      await writeFile(file, text, { mode: 0o600 });
      const snapshot = await FileStore.snapshot(file);
      expect((await snapshot.listClients()).map((c) => c.client_id)).toEqual(['web', 'svc']);
      expect(await readFile(file, 'utf8')).toBe(text); // reading never rewrites
      const store = await FileStore.open(file);
      await store.addUser({ username: 'carol', sub: 'carol', claims: {} });
      await store.close();
      const saved = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
      expect(saved.version).toBe(SCHEMA_VERSION);
      expect(saved.clients).toEqual(old.clients);
      expect((saved.users as { username: string }[]).map((u) => u.username)).toEqual(['alice', 'bob', 'carol']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
