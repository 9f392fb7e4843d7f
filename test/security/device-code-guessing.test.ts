import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOp } from '../../src/index.js';
import { confidentialClient, startTestOp } from '../helpers/op.js';
import { TestClock } from '../helpers/test-clock.js';
import { Browser, inputValue } from './support.js';

/**
 * RFC 8628 5.1: user codes are short, so guessing them is slowed down. After repeated wrong codes
 * the verification page answers 429 with a clear message and Retry-After, for every lookup (a
 * right code too, or guessing would go on), until a minute has passed.
 */

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const clock = new TestClock();
let server: DevOp;

beforeAll(async () => {
  server = await startTestOp({ clock });
  await server.store.addClient(confidentialClient({
    client_id: 'tv', client_secret: undefined, token_endpoint_auth_method: 'none', redirect_uris: [], response_types: [], grant_types: [DEVICE_GRANT],
  }));
});
afterAll(() => server.stop());

async function userCode(): Promise<string> {
  const res = await fetch(`${server.issuer}/device/auth`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_id=tv&scope=openid',
  });
  return ((await res.json()) as { user_code: string }).user_code;
}

/** Wrong codes that are still well-formed (no vowels, 8 letters). */
const wrongCode = (i: number) => `BBBB-${'BCDFGHJKLMNPQRSTVWXZ'[i % 20]}${'BCDFGHJKLMNPQRSTVWXZ'[Math.floor(i / 20) % 20]}BB`;

describe('guessing device user codes', () => {
  it('25 wrong codes in a row: after 10, 429 with a clear message and Retry-After, even for the right code; a minute later the right code works', async () => {
    const right = await userCode();
    const browser = new Browser();
    const csrf = inputValue(await browser.page(`${server.issuer}/device`), 'csrf')!;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 25; i++) {
      last = await browser.fetch(`${server.issuer}/device`, { form: { csrf, user_code: wrongCode(i) } });
      statuses.push(last.status);
      if (i < 10) expect(await last.text()).toContain('That code is not valid');
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(statuses.slice(10)).toEqual(Array(15).fill(429));
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.headers.get('content-type')).toMatch(/text\/html/);
    expect(await last!.text()).toMatch(/Too many wrong codes were entered\. To keep codes from being guessed, wait \d+ seconds? and try again\./);

    // The right code is not looked up either, by the form or by verification_uri_complete.
    const blocked = await browser.fetch(`${server.issuer}/device`, { form: { csrf, user_code: right } });
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).not.toContain('name="decision"');
    expect((await browser.fetch(`${server.issuer}/device?user_code=${right}`)).status).toBe(429);

    clock.advance(61_000);
    const confirm = await browser.fetch(`${server.issuer}/device`, { form: { csrf, user_code: right } });
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain(right);
  });
});
