import { objectsFromYaml } from '../load/testing/objects.ts';
import { compilePolicySet } from './compile.ts';
import { evaluatePolicySet } from './evaluate.ts';
import { compileExpression, evaluate, prepareActivation, Budget } from './cel/index.ts';
const pol = (n: number, expr: string) => `apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: p${n}}\nspec:\n  matchConstraints:\n    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]\n  validations: [{expression: "${expr}"}]\n---\n`;
const { set } = compilePolicySet(objectsFromYaml(Array.from({ length: 10 }, (_, i) => pol(i, 'true')).join('')));
const objs = objectsFromYaml(Array.from({ length: 1000 }, (_, i) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${i}, namespace: ns${i % 20}}\nspec: {replicas: 2}\n---\n`).join(''));
function cpu(label: string, fn: () => void, reps: number, per: number) {
  fn();
  let best = Infinity;
  for (let r = 0; r < 5; r++) { const c = process.cpuUsage(); for (let i = 0; i < reps; i++) fn(); const u = process.cpuUsage(c); best = Math.min(best, (u.user + u.system) / reps); }
  console.log(label.padEnd(40), (best / per).toFixed(2), 'us per unit');
}
cpu('evaluatePolicySet 10 x true x 1000', () => evaluatePolicySet(set, objs), 5, 10000);
const p = compileExpression('true', ['object']);
const b = new Budget(1e7, 1e9);
cpu('prepareActivation', () => { for (let i = 0; i < 10000; i++) prepareActivation({ object: objs[0]!.raw, variables: null }); }, 5, 10000);
const prepared = prepareActivation({ object: objs[0]!.raw });
cpu('evaluate true (shared budget)', () => { for (let i = 0; i < 10000; i++) evaluate(p, prepared, { budget: b }); }, 5, 10000);
cpu('evaluate true (own budget)', () => { for (let i = 0; i < 10000; i++) evaluate(p, prepared); }, 5, 10000);
cpu('budget.reset', () => { for (let i = 0; i < 10000; i++) b.reset(1e7, 1e9); }, 5, 10000);
cpu('performance.now', () => { for (let i = 0; i < 10000; i++) performance.now(); }, 5, 10000);
