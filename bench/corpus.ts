// A deterministic, realistic corpus for the scan benchmark: workloads of every kind with varied pod
// specs, Services, RBAC and NetworkPolicies across many namespaces. Same seed, same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: tiny, fast, and good enough to vary fixtures reproducibly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORKLOADS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet', 'Pod'] as const;

export interface CorpusOptions {
  objects: number;
  files: number;
  namespaces: number;
  seed?: number;
}

export function writeCorpus(dir: string, options: CorpusOptions): { bytes: number } {
  mkdirSync(dir, { recursive: true });
  const next = random(options.seed ?? 42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number): boolean => next() < p;
  const files: string[][] = Array.from({ length: options.files }, () => []);
  // Cross-object references (which workload a Service or policy selects, which Role a binding names)
  // draw from their own stream, so the objects themselves stay what they were for a given seed.
  const link = random((options.seed ?? 42) + 1);
  const workloadsIn = new Map<string, string[]>();
  const rolesIn = new Map<string, string[]>();
  const remember = (map: Map<string, string[]>, ns: string, name: string) => map.set(ns, [...(map.get(ns) ?? []), name]);
  // Mostly an earlier object of the namespace, as a real application's manifests would name it.
  const target = (map: Map<string, string[]>, ns: string, fallback: string): string => {
    const names = map.get(ns);
    return names !== undefined && link() < 0.9 ? names[Math.floor(link() * names.length)]! : fallback;
  };
  for (let i = 0; i < options.objects; i++) {
    const ns = `team-${i % options.namespaces}`;
    const roll = next();
    let doc: string;
    if (roll < 0.45) {
      doc = workload(pick(WORKLOADS), `app-${i}`, ns, chance, pick);
      remember(workloadsIn, ns, `app-${i}`);
    } else if (roll < 0.7) doc = service(`svc-${i}`, ns, chance, target(workloadsIn, ns, `app-${i}`));
    else if (roll < 0.88) {
      const made = rbac(`rbac-${i}`, ns, chance, target(rolesIn, ns, `rbac-${i}`), target(workloadsIn, ns, `rbac-${i}`));
      if (made.role) remember(rolesIn, ns, `rbac-${i}`);
      doc = made.doc;
    } else doc = networkPolicy(`np-${i}`, ns, chance, link() < 0.2 ? undefined : target(workloadsIn, ns, `app-${i}`));
    files[i % options.files]!.push(doc);
  }
  let bytes = 0;
  files.forEach((docs, index) => {
    const text = docs.join('---\n');
    bytes += Buffer.byteLength(text);
    writeFileSync(join(dir, `manifests-${String(index).padStart(3, '0')}.yaml`), text);
  });
  return { bytes };
}

function container(name: string, index: number, chance: (p: number) => boolean, pick: <T>(items: readonly T[]) => T, indent: string): string {
  const lines = [
    `- name: ${name}-${index}`,
    `  image: ${pick(['registry.example.com/team', 'docker.io/library', 'ghcr.io/acme'])}/${name}:${pick(['1.2.3', 'latest', '2.0.1-alpine'])}`,
    `  imagePullPolicy: ${pick(['IfNotPresent', 'Always'])}`,
    '  ports:',
    `  - containerPort: ${8000 + index}`,
    '    name: http',
  ];
  if (chance(0.1)) lines.push(`    hostPort: ${9000 + index}`);
  lines.push('  env:', '  - name: LOG_LEVEL', `    value: ${pick(['info', 'debug', 'warn'])}`);
  lines.push('  resources:', '    requests:', '      cpu: 100m', '      memory: 128Mi');
  if (chance(0.6)) lines.push('    limits:', '      cpu: 500m', '      memory: 256Mi');
  if (chance(0.7)) {
    lines.push('  securityContext:');
    if (chance(0.8)) lines.push(`    allowPrivilegeEscalation: ${chance(0.8) ? 'false' : 'true'}`);
    if (chance(0.1)) lines.push('    privileged: true');
    if (chance(0.6)) lines.push('    readOnlyRootFilesystem: true');
    if (chance(0.7)) lines.push('    capabilities:', '      drop: ["ALL"]');
    if (chance(0.1)) lines.push('    runAsUser: 0');
  }
  if (chance(0.3)) lines.push('  readinessProbe:', '    httpGet:', '      path: /ready', '      port: http');
  lines.push('  volumeMounts:', '  - name: data', '    mountPath: /data');
  return lines.map((line) => indent + line).join('\n');
}

function podSpec(name: string, chance: (p: number) => boolean, pick: <T>(items: readonly T[]) => T, indent: string): string {
  const lines: string[] = [];
  lines.push(`serviceAccountName: ${name}`);
  if (chance(0.05)) lines.push('hostNetwork: true');
  if (chance(0.03)) lines.push('hostPID: true');
  if (chance(0.6)) {
    lines.push('securityContext:', `  runAsNonRoot: ${chance(0.9) ? 'true' : 'false'}`);
    if (chance(0.5)) lines.push('  runAsUser: 10001');
    if (chance(0.7)) lines.push('  seccompProfile:', '    type: RuntimeDefault');
  }
  const body = lines.map((line) => indent + line);
  if (chance(0.3)) body.push(`${indent}initContainers:`, container('init', 0, chance, pick, indent));
  body.push(`${indent}containers:`);
  const count = chance(0.4) ? 2 : 1;
  for (let c = 0; c < count; c++) body.push(container(name, c, chance, pick, indent));
  body.push(`${indent}volumes:`, `${indent}- name: data`);
  body.push(chance(0.08) ? `${indent}  hostPath:\n${indent}    path: /var/lib/${name}` : `${indent}  emptyDir: {}`);
  return body.join('\n');
}

function workload(kind: (typeof WORKLOADS)[number], name: string, ns: string, chance: (p: number) => boolean, pick: <T>(items: readonly T[]) => T): string {
  const meta = `metadata:\n  name: ${name}\n  namespace: ${ns}\n  labels:\n    app: ${name}\n    team: ${ns}\n`;
  const template = (indent: string) =>
    `${indent}metadata:\n${indent}  labels:\n${indent}    app: ${name}\n${indent}spec:\n${podSpec(name, chance, pick, indent + '  ')}\n`;
  switch (kind) {
    case 'Pod':
      return `apiVersion: v1\nkind: Pod\n${meta}spec:\n${podSpec(name, chance, pick, '  ')}\n`;
    case 'CronJob':
      return `apiVersion: batch/v1\nkind: CronJob\n${meta}spec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n${template('        ')}`;
    case 'Job':
      return `apiVersion: batch/v1\nkind: Job\n${meta}spec:\n  backoffLimit: 3\n  template:\n${template('    ')}`;
    default:
      return `apiVersion: apps/v1\nkind: ${kind}\n${meta}spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n${template('    ')}`;
  }
}

function service(name: string, ns: string, chance: (p: number) => boolean, app: string): string {
  const type = chance(0.1) ? 'LoadBalancer' : chance(0.1) ? 'NodePort' : 'ClusterIP';
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  type: ${type}\n  selector:\n    app: ${app}\n  ports:\n  - name: http\n    port: 80\n    targetPort: http\n`;
}

/** A Role, or a RoleBinding of `role` to the ServiceAccount a workload of the namespace runs as. */
function rbac(name: string, ns: string, chance: (p: number) => boolean, role: string, account: string): { doc: string; role: boolean } {
  if (chance(0.5)) {
    const verbs = chance(0.1) ? '["*"]' : '["get", "list", "watch"]';
    const resources = chance(0.1) ? '["secrets"]' : '["configmaps", "pods"]';
    return { role: true, doc: `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nrules:\n- apiGroups: [""]\n  resources: ${resources}\n  verbs: ${verbs}\n` };
  }
  return {
    role: false,
    doc: `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: ${role}\nsubjects:\n- kind: ServiceAccount\n  name: ${account}\n  namespace: ${ns}\n`,
  };
}

/** A policy admitting one role to a workload, or (app undefined) the namespace's default deny. */
function networkPolicy(name: string, ns: string, chance: (p: number) => boolean, app: string | undefined): string {
  const role = chance(0.5) ? 'frontend' : 'backend';
  if (app === undefined) {
    return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  podSelector: {}\n  policyTypes: ["Ingress", "Egress"]\n`;
  }
  return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  podSelector:\n    matchLabels:\n      app: ${app}\n  policyTypes: ["Ingress"]\n  ingress:\n  - from:\n    - podSelector:\n        matchLabels:\n          role: ${role}\n    ports:\n    - port: 8080\n`;
}
