// Benchmark of the cluster-only RBAC controls and `cluster permissions`, in process (CPU time: the
// machine is shared). The set has the shape of the cluster bench: `--namespaces` namespaces, each with
// `--accounts` ServiceAccounts, pods and a Role letting one account create pods and patch its own
// namespace, plus a CSR approver, a cluster-admin account and the bootstrap-like group bindings.
// Pods are spread over 50 nodes (spec.nodeName) for the node-sharing control.
// Usage: node bench/cluster-access.ts [--namespaces 100] [--accounts 5] [--pods 20] [--runs 5]
import { parseArgs } from 'node:util';
import type { KubeObject } from '../src/core/index.ts';
import { escalationPathCheck, sensitiveWorkloadSharesNodeCheck, unusedTokenCheck } from '../src/cluster/checks.ts';
import { indexObjects } from '../src/cluster/access.ts';
import { permissionsOf } from '../src/cluster/permissions.ts';
import { toKubeObject } from '../src/cluster/collect.ts';
import type { ClusterClient } from '../src/cluster/client.ts';
import { readApiServerEncryption } from '../src/cluster/encryption-config.ts';
import { createScope, DEFAULT_EXCLUDED_NAMESPACES } from '../src/cluster/scope.ts';
import { serviceAccountTokenAutomountDefaultCheck } from '../src/checks/compute/cross/service-account-automount.ts';
import { createObjectSet } from '../src/engine/object-set.ts';
import { runSetChecks } from '../src/engine/run.ts';
import { objectsFromYaml } from '../src/load/testing/objects.ts';
import { parsePssVersion } from '../src/pss/version.ts';

const { values } = parseArgs({
  options: {
    namespaces: { type: 'string', default: '100' },
    accounts: { type: 'string', default: '5' },
    pods: { type: 'string', default: '20' },
    runs: { type: 'string', default: '5' },
  },
});
const namespaces = Number(values.namespaces);
const accounts = Number(values.accounts);
const pods = Number(values.pods);
const runs = Number(values.runs);

const docs: string[] = [
  'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: everything}\nrules: [{apiGroups: ["*"], resources: ["*"], verbs: ["*"]}]',
  'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: everything}\nsubjects: [{kind: ServiceAccount, name: sa0, namespace: ns0}]',
  'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: approve}\nrules: [{apiGroups: [certificates.k8s.io], resources: [certificatesigningrequests/approval], verbs: [update]}, {apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve]}]',
  'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: approve}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: approve}\nsubjects: [{kind: ServiceAccount, name: sa1, namespace: ns1}]',
  'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: system:discovery\n  labels: {kubernetes.io/bootstrapping: rbac-defaults}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: Group, name: system:authenticated}]',
];
for (let n = 0; n < namespaces; n++) {
  const ns = `ns${n}`;
  docs.push(`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${ns}}`);
  for (let a = 0; a < accounts; a++) docs.push(`apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa${a}, namespace: ${ns}}`);
  docs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: owner, namespace: ${ns}}\nrules: [{apiGroups: [""], resources: [namespaces], verbs: [patch]}, {apiGroups: [""], resources: [pods], verbs: [create]}]`);
  docs.push(`apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: owner, namespace: ${ns}}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: owner}\nsubjects: [{kind: ServiceAccount, name: sa2, namespace: ${ns}}]`);
  for (let p = 0; p < pods; p++) {
    docs.push(`apiVersion: v1\nkind: Pod\nmetadata: {name: p${p}, namespace: ${ns}}\nspec:\n  nodeName: node${(n * 7 + p) % 50}\n  serviceAccountName: sa${p % accounts}\n  containers: [{name: c, image: c}]`);
  }
}
const objects: KubeObject[] = objectsFromYaml(docs.join('\n---\n'));
const settings = { pss: { level: 'restricted' as const, version: parsePssVersion('latest') } };

function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(`${objects.length} objects: ${namespaces} namespaces × ${accounts} ServiceAccounts, ${pods} pods each; ${runs} runs, CPU ms (median / best)`);
for (const check of [escalationPathCheck, unusedTokenCheck, serviceAccountTokenAutomountDefaultCheck, sensitiveWorkloadSharesNodeCheck]) {
  const times: number[] = [];
  let findings = 0;
  for (let r = 0; r < runs; r++) {
    const set = createObjectSet(objects);
    times.push(cpuMs(() => (findings = runSetChecks(set, [check], { settings }).findings.length)));
  }
  console.log(`  ${check.id.padEnd(42)} ${median(times).toFixed(1).padStart(8)} / ${Math.min(...times).toFixed(1).padStart(8)}   (${findings} findings)`);
}
const index = indexObjects(objects);
const users = Array.from({ length: namespaces }, (_, n) => ({ name: `system:serviceaccount:ns${n}:sa2`, groups: ['system:serviceaccounts', `system:serviceaccounts:ns${n}`, 'system:authenticated'] }));
const times: number[] = [];
for (let r = 0; r < runs; r++) times.push(cpuMs(() => users.forEach((user) => permissionsOf(index, 'bench', user))) / users.length);
console.log(`  permissions --as (per identity)             ${median(times).toFixed(3).padStart(8)} / ${Math.min(...times).toFixed(3).padStart(8)}`);

// Which findings a scan keeps: the scope over every object and the findings of the checks above.
const allFindings = runSetChecks(createObjectSet(objects), [escalationPathCheck, unusedTokenCheck, serviceAccountTokenAutomountDefaultCheck, sensitiveWorkloadSharesNodeCheck], { settings }).findings;
for (const namespace of [undefined, 'ns7']) {
  const scopeTimes: number[] = [];
  let kept = 0;
  for (let r = 0; r < runs; r++) {
    scopeTimes.push(
      cpuMs(() => {
        const scope = createScope(objects, { namespace, excludeNamespaces: DEFAULT_EXCLUDED_NAMESPACES, includeDefaults: false, controlPlanePods: new Set(), controlPlaneControls: new Set() });
        kept = allFindings.filter((f) => scope.keeps(f)).length;
      }),
    );
  }
  console.log(`  ${`scope ${namespace === undefined ? '(all namespaces)' : `(-n ${namespace})`}`.padEnd(42)} ${median(scopeTimes).toFixed(1).padStart(8)} / ${Math.min(...scopeTimes).toFixed(1).padStart(8)}   (${kept} of ${allFindings.length} findings kept)`);
}

// Encryption at rest without etcd: three kube-apiserver mirror pods reading one ConfigMap volume.
const configText = 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - identity: {}\n';
const controlPlane = [
  ...[1, 2, 3].map((i) =>
    toKubeObject(
      {
        metadata: { name: `kube-apiserver-cp-${i}`, namespace: 'kube-system', labels: { component: 'kube-apiserver', tier: 'control-plane' } },
        spec: { containers: [{ name: 'kube-apiserver', command: ['kube-apiserver', '--encryption-provider-config=/etc/enc/config.yaml'], volumeMounts: [{ name: 'enc', mountPath: '/etc/enc' }] }], volumes: [{ name: 'enc', configMap: { name: 'enc' } }] },
      },
      'v1',
      'Pod',
      'cluster://bench',
    )!,
  ),
  toKubeObject({ metadata: { name: 'enc', namespace: 'kube-system' }, data: { 'config.yaml': configText } }, 'v1', 'ConfigMap', 'cluster://bench')!,
];
const withControlPlane = [...objects, ...controlPlane];
const unused = async () => {
  throw new Error('the benchmark reads everything from the listed objects');
};
const offline: ClusterClient = { context: 'bench', server: 'https://127.0.0.1', get: unused, post: unused, put: unused, delete: unused, requests: 0 };
const fallbackTimes: number[] = [];
for (let r = 0; r < runs; r++) {
  const start = process.cpuUsage();
  await readApiServerEncryption(offline, withControlPlane, { cwd: process.cwd(), provenByEtcd: false, podsUnreadable: false, clusterFile: 'cluster://bench' });
  const used = process.cpuUsage(start);
  fallbackTimes.push((used.user + used.system) / 1000);
}
console.log(`  ${'encryption fallback (3 API server pods)'.padEnd(42)} ${median(fallbackTimes).toFixed(1).padStart(8)} / ${Math.min(...fallbackTimes).toFixed(1).padStart(8)}   (over ${withControlPlane.length} objects)`);
