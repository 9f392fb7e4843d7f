import { generateKeyPair, SignJWT } from 'jose';
import { median, fmt } from '../lib/stats.mjs';
import { table } from '../lib/table.mjs';

const CLAIMS = { iss: 'http://localhost:4000', sub: 'cc', aud: 'cc', client_id: 'cc', iat: 1700000000, exp: 1700000600, jti: 'x'.repeat(22), scope: 'api' };

async function signsPerSecond(key, alg, inFlight, ms) {
  const sign = () => new SignJWT(CLAIMS).setProtectedHeader({ alg, typ: 'at+jwt' }).sign(key);
  const until = performance.now() + ms;
  let count = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < until) {
      await sign();
      count++;
    }
  }));
  return count / ((performance.now() - started) / 1000);
}

/** 7. The limit: raw jose signs per second, serial (one at a time) and with 32 in flight. */
export async function run({ runs, seconds }) {
  const rows = [];
  const results = {};
  for (const [alg, opts] of [['RS256', { modulusLength: 2048 }], ['ES256', {}], ['EdDSA', { crv: 'Ed25519' }]]) {
    const { privateKey } = await generateKeyPair(alg, opts);
    await signsPerSecond(privateKey, alg, 1, 200); // warm up
    const serial = [];
    const parallel = [];
    for (let i = 0; i < runs; i++) {
      serial.push(await signsPerSecond(privateKey, alg, 1, seconds * 250));
      parallel.push(await signsPerSecond(privateKey, alg, 32, seconds * 250));
    }
    results[alg] = { serial: median(serial), parallel: median(parallel) };
    rows.push([alg, fmt(median(serial)), fmt(median(parallel)), fmt(1000 / median(serial), 3)]);
  }
  table('Raw jose signing (the limit)', ['alg', 'signs/s serial', 'signs/s 32 in flight', 'ms per sign (serial)'], rows, [
    'jose 6 signs on the libuv thread pool (WebCrypto), so requests in flight use both cores.',
    'reproduce: node bench/run.mjs --only sign',
  ]);
  return results;
}
