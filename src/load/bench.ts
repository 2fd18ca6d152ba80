// Measures the YAML loader on a generated corpus shaped like real manifests (workloads with varied
// pod specs, Services, RBAC, NetworkPolicies, ConfigMaps): the whole loading step, the fast path,
// the full path alone, and js-yaml's own loadAll, each in fresh processes (cold; results kept, but
// for streamInputs, which lets each file's objects go as a scan does). Run: node src/load/bench.ts
// [objects] [files] [runs]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseYamlStream } from './yaml.ts';

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A deterministic multi-document YAML corpus: `objects` objects spread over `files` texts. */
export function generateCorpus(objects: number, files: number, seed = 42): string[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const texts: string[] = [];
  const perFile = Math.ceil(objects / files);
  let made = 0;
  for (let f = 0; f < files; f++) {
    const compact = random() < 0.5; // `- item` at the key's indentation, as kubectl prints
    const seqIndent = compact ? '' : '  ';
    const docs: string[] = [];
    for (let k = 0; k < perFile && made < objects; k++, made++) {
      const ns = `team-${Math.floor(random() * 200)}`;
      const name = `app-${made}`;
      const kind = pick(['Deployment', 'Deployment', 'StatefulSet', 'CronJob', 'Service', 'Service', 'Role', 'RoleBinding', 'NetworkPolicy', 'ConfigMap', 'ServiceAccount']);
      docs.push(renderObject(kind, name, ns, seqIndent, random, pick));
    }
    texts.push(`# generated file ${f}\n${docs.join('---\n')}`);
  }
  return texts;
}

function renderObject(
  kind: string,
  name: string,
  ns: string,
  s: string,
  random: () => number,
  pick: <T>(items: readonly T[]) => T,
): string {
  const meta = `metadata:\n  name: ${name}\n  namespace: ${ns}\n  labels:\n    app.kubernetes.io/name: ${name}\n    app.kubernetes.io/part-of: "shop"\n    tier: ${pick(['web', 'api', 'db', 'cache'])}\n  annotations:\n    owner: 'team@example.com'\n`;
  const container = (i: number, indent: string): string => {
    const lines = [
      `${indent}${s}- name: c${i}`,
      `${indent}${s}  image: registry.example.com/${name}/c${i}:${Math.floor(random() * 20)}.${Math.floor(random() * 10)}.0`,
      `${indent}${s}  imagePullPolicy: IfNotPresent`,
      `${indent}${s}  args: ["--port=8080", "--verbose", "--log-level=${pick(['info', 'debug'])}"]`,
      `${indent}${s}  ports:`,
      `${indent}${s}  ${s}- containerPort: ${8000 + Math.floor(random() * 1000)}`,
      `${indent}${s}  ${s}  protocol: TCP`,
      `${indent}${s}  env:`,
      `${indent}${s}  ${s}- name: MODE`,
      `${indent}${s}  ${s}  value: "production"`,
      `${indent}${s}  ${s}- name: REPLICA`,
      `${indent}${s}  ${s}  valueFrom:`,
      `${indent}${s}  ${s}    fieldRef: {fieldPath: metadata.name}`,
      `${indent}${s}  resources:`,
      `${indent}${s}    limits: {cpu: 500m, memory: 256Mi}`,
      `${indent}${s}    requests:`,
      `${indent}${s}      cpu: 100m`,
      `${indent}${s}      memory: 64Mi`,
    ];
    if (random() < 0.6) {
      lines.push(
        `${indent}${s}  securityContext:`,
        `${indent}${s}    runAsNonRoot: ${pick(['true', 'false', 'yes'])}`,
        `${indent}${s}    allowPrivilegeEscalation: false`,
        `${indent}${s}    readOnlyRootFilesystem: true`,
        `${indent}${s}    capabilities:`,
        `${indent}${s}      drop: [ALL]`,
      );
    } else if (random() < 0.3) {
      lines.push(`${indent}${s}  securityContext:`, `${indent}${s}    privileged: true # needs host access`);
    }
    if (random() < 0.4) {
      lines.push(
        `${indent}${s}  livenessProbe:`,
        `${indent}${s}    httpGet:`,
        `${indent}${s}      path: /healthz`,
        `${indent}${s}      port: 8080`,
        `${indent}${s}    initialDelaySeconds: 10`,
      );
    }
    return lines.join('\n');
  };
  const podSpec = (indent: string): string => {
    const count = 1 + Math.floor(random() * 3);
    const containers = Array.from({ length: count }, (_, i) => container(i, indent)).join('\n');
    let spec = `${indent}serviceAccountName: ${name}\n${indent}containers:\n${containers}\n`;
    if (random() < 0.3) spec += `${indent}hostNetwork: true\n`;
    if (random() < 0.5) {
      spec += `${indent}volumes:\n${indent}${s}- name: data\n${indent}${s}  emptyDir: {}\n${indent}${s}- name: config\n${indent}${s}  configMap:\n${indent}${s}    name: ${name}-config\n`;
    }
    return spec;
  };
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
      return `apiVersion: apps/v1\nkind: ${kind}\n${meta}spec:\n  replicas: ${1 + Math.floor(random() * 5)}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: ${name}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: ${name}\n    spec:\n${podSpec('      ')}`;
    case 'CronJob':
      return `apiVersion: batch/v1\nkind: CronJob\n${meta}spec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n${podSpec('          ')}`;
    case 'Service':
      return `apiVersion: v1\nkind: Service\n${meta}spec:\n  type: ${pick(['ClusterIP', 'NodePort', 'LoadBalancer'])}\n  selector:\n    app.kubernetes.io/name: ${name}\n  ports:\n  ${s}- name: http\n  ${s}  port: 80\n  ${s}  targetPort: 8080\n`;
    case 'Role':
      return `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n${meta}rules:\n${s}- apiGroups: [""]\n${s}  resources: ["pods", "secrets"]\n${s}  verbs: ["get", "list", "watch"]\n${s}- apiGroups: ["apps"]\n${s}  resources: ["deployments"]\n${s}  verbs: ["*"]\n`;
    case 'RoleBinding':
      return `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n${meta}roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: ${name}\nsubjects:\n${s}- kind: ServiceAccount\n${s}  name: ${name}\n${s}  namespace: ${ns}\n`;
    case 'NetworkPolicy':
      return `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n${meta}spec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: ${name}\n  policyTypes:\n  ${s}- Ingress\n  ingress:\n  ${s}- from:\n  ${s}  ${s}- namespaceSelector:\n  ${s}  ${s}    matchLabels:\n  ${s}  ${s}      kubernetes.io/metadata.name: ${ns}\n  ${s}  ports:\n  ${s}  ${s}- port: 8080\n`;
    case 'ConfigMap':
      return `apiVersion: v1\nkind: ConfigMap\n${meta}data:\n  app.properties: |\n    mode=production\n    threads=${Math.floor(random() * 64)}\n\n    # tuning\n    cache.size=256\n  motd: >-\n    Welcome to the\n    service.\n`;
    default:
      return `apiVersion: v1\nkind: ServiceAccount\n${meta}automountServiceAccountToken: false\n`;
  }
}

/** One cold run in this process: parse every file of `dir`, keeping the results; prints JSON. */
async function child(mode: string, dir: string): Promise<void> {
  const files = readdirSync(dir).sort().map((name) => join(dir, name));
  // Modules are loaded before the clock starts: their cost belongs to start-up, measured elsewhere.
  const { loadInputs, streamInputs } = await import('./sources.ts');
  const loadAll = mode === 'jsyaml' ? (await import('js-yaml')).loadAll : null;
  const started = performance.now();
  const kept: unknown[] = [];
  let documents = 0;
  if (mode === 'load') {
    const result = await loadInputs([dir]);
    documents = result.objects.length;
    kept.push(result);
  } else if (mode === 'stream') {
    // As a scan reads: one file's objects at a time, let go once counted.
    for await (const unit of streamInputs([dir])) documents += unit.objects.length;
  } else {
    for (const file of files) {
      const text = readFileSync(file, 'latin1');
      if (loadAll !== null) {
        const values = loadAll(text);
        documents += values.length;
        kept.push(values);
      } else {
        const outcome = parseYamlStream(text, file, { fast: mode === 'fast' });
        documents += outcome.documents.length;
        kept.push(outcome);
      }
    }
  }
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms, documents, rss: process.resourceUsage().maxRSS * 1024 }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!);
  const objects = Number(process.argv[2] ?? 10_000);
  const files = Number(process.argv[3] ?? 50);
  const runs = Number(process.argv[4] ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-'));
  try {
    const texts = generateCorpus(objects, files);
    texts.forEach((text, i) => writeFileSync(join(dir, `f${String(i).padStart(3, '0')}.yaml`), text));
    const bytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    const mib = bytes / 1048576;
    console.log(`corpus: ${objects} objects in ${files} files, ${mib.toFixed(2)} MiB; each figure is the median of ${runs} fresh processes`);
    const modes: [string, string][] = [
      ['stream', 'streamInputs (as a scan reads)'],
      ['load', 'loadInputs (files → objects)'],
      ['fast', 'parse, fast path'],
      ['full', 'parse, full path only'],
      ['jsyaml', 'js-yaml loadAll (no positions)'],
    ];
    for (const [mode, label] of modes) {
      const results = [];
      for (let run = 0; run < runs; run++) {
        const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, dir], { encoding: 'utf8' });
        results.push(JSON.parse(output) as { ms: number; documents: number; rss: number });
      }
      const ms = median(results.map((r) => r.ms));
      const rss = median(results.map((r) => r.rss)) / 1048576;
      console.log(
        `${label.padEnd(32)} ${ms.toFixed(0).padStart(6)} ms  ${(mib / (ms / 1000)).toFixed(1).padStart(6)} MiB/s  peak RSS ${rss.toFixed(0)} MiB  (${results[0]!.documents} documents)`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) await main();
