// Benchmark of the controls added for audit policies, command-line secrets and NetworkPolicy
// reachability, in process (CPU time, so that other load on the machine distorts less than wall time).
// Usage: node bench/catalog-controls.ts [--runs 7] [--workloads 2000] [--policies 400]
// Prints, median and best of the runs: the audit policy checks on a realistic policy (GKE-style, 30
// rules) and on a policy with many named users and groups; secret-in-args over a command line; the
// reachability engine's "which pods reach P" over generated namespaces, workloads and policies; and the
// datastore and threat-model steps on the same set.
import { parseArgs } from 'node:util';
import { auditPolicyChecks } from '../src/checks/access/control-plane/audit-policy-checks.ts';
import { databaseOpenToAllNamespacesCheck } from '../src/checks/network/database-reachability.ts';
import { reachability } from '../src/checks/network/reachability.ts';
import { workloadIndex } from '../src/checks/network/workloads.ts';
import { scanArguments } from '../src/checks/storage/secret-patterns.ts';
import { threatPaths } from '../src/checks/develop/threat-model.ts';
import { createObjectSet } from '../src/engine/object-set.ts';
import { runChecks, runSetChecks } from '../src/engine/run.ts';
import { objectsFromYaml } from '../src/load/testing/objects.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    workloads: { type: 'string', default: '2000' },
    policies: { type: 'string', default: '400' },
  },
});
const runs = Number(values.runs);
const settings = { pss: { level: 'restricted' as const, version: 'latest' as const } };

function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function measure(label: string, run: () => void, unit?: { count: number; what: string }): void {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(cpuMs(run));
  times.sort((a, b) => a - b);
  const med = times[Math.floor(times.length / 2)]!;
  const rate = unit === undefined ? '' : `  (${Math.round((unit.count / med) * 1000).toLocaleString('en')} ${unit.what}/s CPU)`;
  console.log(`${label.padEnd(58)} median ${med.toFixed(1).padStart(8)} ms CPU  best ${times[0]!.toFixed(1).padStart(8)} ms${rate}`);
}

// A policy shaped like the ones GKE and kubeadm guides ship: noise silenced for system users first.
const systemUsers = ['system:kube-proxy', 'system:kube-scheduler', 'system:kube-controller-manager', 'system:apiserver', 'kubelet', 'system:node-problem-detector'];
const realistic = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
${systemUsers.map((user) => `- level: None\n  users: ["${user}"]\n  verbs: [get, list, watch]\n`).join('')}- level: None
  userGroups: ["system:nodes"]
  verbs: [get]
  resources: [{group: "", resources: [nodes, nodes/status]}]
- level: None
  nonResourceURLs: ["/healthz*", "/version", "/swagger*", "/readyz", "/livez"]
- level: None
  resources: [{group: "", resources: [events]}]
- level: Metadata
  namespaces: [kube-system]
  resources: [{group: "", resources: [configmaps], resourceNames: [cluster-autoscaler-status, ingress-uid]}]
- level: Metadata
  resources:
  - {group: "", resources: [secrets, configmaps, serviceaccounts/token]}
  - {group: authentication.k8s.io, resources: [tokenreviews]}
- level: Request
  verbs: [get, list, watch]
  resources: [{group: ""}, {group: apps}, {group: batch}, {group: networking.k8s.io}, {group: policy}, {group: rbac.authorization.k8s.io}]
- level: RequestResponse
  resources: [{group: ""}, {group: apps}, {group: batch}, {group: networking.k8s.io}, {group: policy}, {group: rbac.authorization.k8s.io}]
- level: Metadata
`;
// Many named users, groups and namespaces around the sensitive resources: the enumeration's worst shape.
const wide = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
${Array.from({ length: 40 }, (_, i) => `- level: None\n  users: ["user-${i}"]\n  userGroups: ["group-${i}"]\n  namespaces: ["ns-${i}"]\n  resources: [{group: "", resources: [secrets, configmaps], resourceNames: ["name-${i}"]}]\n`).join('')}- level: Metadata
  resources: [{group: "", resources: [secrets, configmaps]}]
- level: Request
`;
measure('audit policy checks, 30-rule policy (x100)', () => {
  for (let i = 0; i < 100; i++) runChecks(objectsFromYaml(realistic, 'audit.yaml'), auditPolicyChecks, { settings });
}, { count: 100, what: 'policies' });
measure('audit policy checks, 42 rules naming 40 users/groups/ns', () => {
  runChecks(objectsFromYaml(wide, 'wide.yaml'), auditPolicyChecks, { settings });
});

const argv = ['/bin/sh', '-c', `set -e; ${'exec app --listen=:8080 --db-host=db --db-user=app --log-level=debug --db-password="$DB_PASSWORD" '.repeat(20)}`, '--config', '/etc/app/config.yaml', '--token-file=/run/secrets/token'];
measure('secret-in-args scanner, 2 KiB sh -c command line (x10000)', () => {
  for (let i = 0; i < 10_000; i++) scanArguments(argv);
}, { count: 10_000, what: 'command lines' });

// A cluster: namespaces, each with web/api/db workloads, default-deny and allow policies.
const namespaces = Math.max(1, Math.floor(Number(values.workloads) / 4));
const docs: string[] = [];
let policyCount = 0;
for (let n = 0; n < namespaces; n++) {
  const ns = `team-${n}`;
  docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}, labels: {team: t${n % 10}}}\n`);
  for (const [name, image, port] of [['web', 'nginx:1.27', 8080], ['api', 'api:1', 9000], ['db', 'postgres:16', 5432], ['cache', 'redis:7', 6379]] as const) {
    docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n  selector: {matchLabels: {app: ${name}}}\n  template:\n    metadata: {labels: {app: ${name}, tier: ${name === 'web' ? 'front' : 'back'}}}\n    spec:\n      containers: [{name: ${name}, image: "${image}", ports: [{name: main, containerPort: ${port}}]}]\n`);
  }
  if (policyCount < Number(values.policies)) {
    docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: ${ns}}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n`);
    docs.push(`apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: ${ns}}\nspec:\n  podSelector: {matchLabels: {app: db}}\n  ingress: [{from: [{podSelector: {matchLabels: {app: api}}}], ports: [{port: main}]}]\n`);
    policyCount += 2;
  }
  if (n === 0) docs.push(`apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: ${ns}}\nspec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 443}]}\n`);
}
const clusterText = docs.join('---\n');
const clusterObjects = objectsFromYaml(clusterText, 'cluster.yaml');
console.log(`cluster: ${namespaces} namespaces, ${namespaces * 4} workloads, ${policyCount} NetworkPolicies`);
measure('reachability: who reaches each db on 5432 (all workloads)', () => {
  const set = createObjectSet(clusterObjects);
  const engine = reachability(set);
  for (const workload of workloadIndex(set).all) if (workload.object.name === 'db') engine.sourcesOf(workload, 5432, 'TCP');
});
measure('network-datastore-open-to-all-namespaces (set check)', () => {
  runSetChecks(createObjectSet(clusterObjects), [databaseOpenToAllNamespacesCheck], { settings });
});
measure('threat model reaches step (1 exposed workload)', () => {
  for (const path of threatPaths(createObjectSet(clusterObjects))) void path.reaches.length;
});
console.log('CPU time of this process; the machine is shared with other work, so treat the figures as indicative.');
