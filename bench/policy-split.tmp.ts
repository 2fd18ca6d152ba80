import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadInputs } from '../src/load/index.ts';
import { evaluatePolicySet, loadPolicySet } from '../src/policy/index.ts';
import { writeCorpus } from './corpus.ts';
const root = mkdtempSync(join(tmpdir(), 'split-'));
writeCorpus(join(root, 'c'), { objects: 10000, files: 50, namespaces: 200 });
const { objects } = await loadInputs([join(root, 'c')]);
const { set } = await loadPolicySet([process.argv[2]!]);
const groups = new Map<string, typeof set.policies[number][]>();
for (const p of set.policies) { const k = p.name.replace(/-\d+$/, ''); groups.set(k, [...(groups.get(k) ?? []), p]); }
evaluatePolicySet(set, objects);
for (const [name, policies] of groups) {
  const sub = { ...set, policies };
  let best = Infinity; let ev = 0; let vi = 0;
  for (let i = 0; i < 3; i++) { const c = process.cpuUsage(); const r = evaluatePolicySet(sub, objects); const u = process.cpuUsage(c); best = Math.min(best, (u.user + u.system) / 1000); ev = r.evaluations; vi = r.violations.length; }
  console.log(name.padEnd(20), `${best.toFixed(0)}ms cpu`.padStart(10), `evaluations=${ev} violations=${vi} per_eval=${(best * 1000 / Math.max(ev, 1)).toFixed(1)}us`);
}
const none = { ...set, policies: [] };
const c = process.cpuUsage(); evaluatePolicySet(none, objects); const u = process.cpuUsage(c);
console.log('no policies', ((u.user + u.system) / 1000).toFixed(0), 'ms cpu');
rmSync(root, { recursive: true, force: true });
