import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/app-errors.js';
import { emptyData } from '../../src/store/empty-data.js';
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
