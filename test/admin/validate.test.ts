import { describe, expect, it } from 'vitest';
import { claims, grantType, optionalString, parseClaim, publicJwks, redirectUri, scope, stringList, ttlSeconds } from '../../src/admin/validate.js';
import { UsageError } from '../../src/errors/app-errors.js';

describe('redirect URIs', () => {
  it.each([
    'http://localhost:3000/callback',
    'https://app.example.com/cb?tenant=1',
    'http://127.0.0.1:8080/',
    'com.example.app:/oauth2redirect', // RFC 8252 private-use scheme
    'myapp://callback',
  ])('accepts %s', (uri) => {
    expect(redirectUri(uri)).toBe(uri);
  });

  it.each([
    ['/callback', 'not an absolute URI'],
    ['callback', 'not an absolute URI'],
    ['http://localhost/cb#x', 'fragment'],
    ['http://localhost/cb#', 'fragment'],
    ['localhost:3000/cb', 'did you mean http://localhost:3000/cb'],
    ['javascript:alert(1)', 'forbidden scheme'],
    ['data:text/html,hi', 'forbidden scheme'],
    ['http://local host/cb', 'must not contain spaces'],
    ['http:///cb', 'no host'],
    ['http:cb', 'no host'],
  ])('refuses %s', (uri, message) => {
    expect(() => redirectUri(uri)).toThrow(UsageError);
    expect(() => redirectUri(uri)).toThrow(message);
  });
});

describe('--claim key=value', () => {
  it.each([
    ['age=42', 'age', 42],
    ['groups=["a","b"]', 'groups', ['a', 'b']],
    ['admin=true', 'admin', true],
    ['address={"country":"NZ"}', 'address', { country: 'NZ' }],
    ['locale=en', 'locale', 'en'],
    ['zip=01234', 'zip', '01234'],
    ['empty=', 'empty', ''],
    ['url=https://x.test/?a=b', 'url', 'https://x.test/?a=b'],
    ['quoted="42"', 'quoted', '42'],
  ])('%s → %j', (pair, key, value) => {
    expect(parseClaim(pair)).toEqual([key, value]);
  });

  it('refuses pairs without a key', () => {
    expect(() => parseClaim('novalue')).toThrow('must be key=value');
    expect(() => parseClaim('=x')).toThrow('must be key=value');
  });

  it('takes a list (later keys win) or an object (JSON input)', () => {
    expect(claims(['a=1', 'a=2', 'b=x'])).toEqual({ a: 2, b: 'x' });
    expect(claims({ a: 1 })).toEqual({ a: 1 });
    expect(() => claims(42)).toThrow(UsageError);
  });
});

describe('lifetimes, scopes, grants', () => {
  it.each([['30s', 30], ['15m', 900], ['1h', 3600], ['2d', 172800], ['90', 90], [600, 600]])('--ttl %s = %i s', (value, seconds) => {
    expect(ttlSeconds(value)).toBe(seconds);
  });

  it.each(['0', '0s', '-5m', '1w', '1.5h', 'soon', '', 0, 1.5])('--ttl %j is refused', (value) => {
    expect(() => ttlSeconds(value)).toThrow('is not a lifetime');
  });

  it('normalises scopes and refuses characters RFC 6749 does not allow', () => {
    expect(scope('  api:read   api:write api:read ')).toBe('api:read api:write');
    expect(scope('   ')).toBeUndefined();
    expect(() => scope('api"read')).toThrow('invalid scope token');
  });

  it('knows the grants the token endpoint serves, device_code as a short name', () => {
    expect(grantType('client_credentials')).toBe('client_credentials');
    expect(grantType('device_code')).toBe('urn:ietf:params:oauth:grant-type:device_code');
    expect(() => grantType('implicit')).toThrow('not a supported grant type');
  });
});

describe('input bounds (everything accepted is stored and rewritten with the whole file)', () => {
  const nestedArray = (levels: number): unknown => JSON.parse(`${'['.repeat(levels)}1${']'.repeat(levels)}`);

  it('refuses claims nested too deep or too large, naming the claim, and accepts ordinary ones', () => {
    expect(() => claims({ groups: nestedArray(2_500) })).toThrow('--claim groups is nested more than 16 levels deep');
    expect(() => claims([`groups=${JSON.stringify(nestedArray(20))}`])).toThrow('--claim groups is nested more than 16 levels deep');
    expect(() => claims({ blob: 'x'.repeat(40_000) })).toThrow('--claim blob is larger than 32 KB of JSON');
    expect(claims({ address: { country: 'FR', lines: ['1 rue'] }, groups: ['a', 'b'] })).toEqual({ address: { country: 'FR', lines: ['1 rue'] }, groups: ['a', 'b'] });
  });

  it('refuses overlong strings and overlong lists', () => {
    expect(() => optionalString('x'.repeat(9_000), '--name')).toThrow('--name is longer than 8192 characters');
    expect(() => stringList(Array.from({ length: 101 }, (_, i) => `http://localhost/${i}`), '--redirect-uri')).toThrow('--redirect-uri is given more than 100 times');
    expect(() => publicJwks({ keys: [{ kty: 'EC', x: nestedArray(2_500) }] })).toThrow('--jwks is nested more than 16 levels deep');
  });
});
