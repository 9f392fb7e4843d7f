/**
 * Summarise a V8 .cpuprofile (from `node --cpu-prof`): self time by package / file, and the top
 * functions. `node bench/tools/cpuprofile-summary.mjs PROFILE [--by package|file|function] [--inclusive] [--top N]`
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { by: { type: 'string', default: 'package' }, top: { type: 'string', default: '25' }, inclusive: { type: 'boolean', default: false } } });
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0));
}
function keyOf(node) {
  const { url, functionName, lineNumber } = node.callFrame;
  if (!url) return functionName ? `(${functionName})` : '(native)';
  if (values.by === 'function') return `${functionName || '(anon)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/')}:${lineNumber + 1}`;
  if (values.by === 'file') return url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|bench)\//, '$1/');
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return 'node: (core)';
  return /\/(dist|bench)\//.exec(url)?.[1] ?? url;
}
const totals = new Map();
let all = 0;
if (values.inclusive) {
  // Inclusive time: a sample counts once for every distinct key on its stack.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (const [id, us] of self) {
    const keys = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) keys.add(keyOf(byId.get(cur)));
    for (const k of keys) totals.set(k, (totals.get(k) ?? 0) + us);
    all += us;
  }
} else {
  for (const [id, us] of self) {
    const k = keyOf(byId.get(id));
    totals.set(k, (totals.get(k) ?? 0) + us);
    all += us;
  }
}
console.log(`total sampled ${(all / 1000).toFixed(1)} ms`);
for (const [k, us] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
}
