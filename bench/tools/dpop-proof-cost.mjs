// Micro-measure of DPoP (RFC 9449) proof validation: N proofs verified in process (the whole
// verifyDpopProof: header checks, ES256 signature, claims, thumbprint, jti put-if-absent in a
// MemoryStore), then client_credentials over HTTP with and without a proof. Quick (a few
// seconds); not part of `npm run bench`.  Usage: npm run build && node bench/tools/dpop-proof-cost.mjs [N]
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { startDevOp } from '../../dist/index.js';
import { verifyDpopProof } from '../../dist/provider/dpop/proof.js';
import { AT_TOKEN_ENDPOINT } from '../../dist/provider/dpop/errors.js';
import { MemoryStore } from '../../dist/store/memory-store.js';
import { defaultFeatures } from '../../dist/config/features.js';

const N = Number(process.argv[2] ?? 2000);
const { privateKey, publicKey } = await generateKeyPair('ES256');
const jwk = await exportJWK(publicKey);
const htu = 'http://localhost:4000/token';
const proof = (url = htu) => new SignJWT({ htm: 'POST', htu: url, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })
  .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(privateKey);

const op = { config: { features: defaultFeatures(), issuer: 'http://localhost:4000' }, clock: { now: () => Date.now() }, store: new MemoryStore() };
const proofs = await Promise.all(Array.from({ length: N }, () => proof()));
for (const p of proofs.slice(0, 50)) await verifyDpopProof(op, p, { method: 'POST', htus: [htu] }, AT_TOKEN_ENDPOINT).catch(() => {});
const t = process.hrtime.bigint();
const cpu = process.cpuUsage();
for (const p of proofs.slice(50)) await verifyDpopProof(op, p, { method: 'POST', htus: [htu] }, AT_TOKEN_ENDPOINT);
const perProof = Number(process.hrtime.bigint() - t) / 1e6 / (N - 50);
const { user, system } = process.cpuUsage(cpu);
const cpuPerProof = (user + system) / 1000 / (N - 50);
console.log(`verifyDpopProof (ES256, memory store), serial, ${N - 50} proofs: ${perProof.toFixed(3)} ms wall, ${cpuPerProof.toFixed(3)} ms CPU per proof`);

const server = await startDevOp({ port: 0, host: '127.0.0.1', memory: true, log: 'none' });
await server.clients.add({ client_id: 'svc', client_secret: 'svc-secret', grant_types: ['client_credentials'] });
const url = `${server.issuer}/token`;
const headers = { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:svc-secret').toString('base64')}` };
const M = 300;
async function timeRequests(withProof) {
  const dpops = withProof ? await Promise.all(Array.from({ length: M }, () => proof(url))) : [];
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < M; i++) {
    const res = await fetch(url, { method: 'POST', headers: { ...headers, ...(withProof ? { dpop: dpops[i] } : {}) }, body: 'grant_type=client_credentials' });
    if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
  const { user, system } = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - start) / 1e6 / M, cpu: (user + system) / 1000 / M };
}
await timeRequests(false);
await timeRequests(true);
const plain = await timeRequests(false);
const bound = await timeRequests(true);
// CPU is the whole process: client (fetch, proof signing excluded: made beforehand) and server.
console.log(`client_credentials over HTTP, serial, ${M} each, per request: Bearer ${plain.wall.toFixed(2)} ms wall / ${plain.cpu.toFixed(2)} ms CPU, `
  + `DPoP ${bound.wall.toFixed(2)} ms wall / ${bound.cpu.toFixed(2)} ms CPU (client and server in one process)`);
await server.stop();
