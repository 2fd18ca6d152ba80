// Benchmark of custom CEL policies: 50 ValidatingAdmissionPolicies (ten realistic kinds of rule, five
// variants each: labels, registries, tags, replica limits with params, quantities, RBAC, services,
// NetworkPolicies…) over the scan benchmark's corpus. Variants differ in strictness, so some pass
// and some fail on the (deliberately insecure) corpus, as a real policy library would.
// Usage: node bench/policy.ts [--objects 10000] [--runs 5] [--no-process] [--no-share] [--write-policies DIR]
// Prints: compile time, in-process evaluation time (best/median; CPU of the process and of the
// evaluating thread alone, which is what the wall clock follows on an idle machine: the JIT compiler
// and the collector's helpers run on other threads), evaluations and violations, and the whole
// `bulwark scan --policy` process against the same scan without policies (the figure the target is
// about: what the policies add). `--no-share` evaluates every expression of every policy, without
// sharing results between policies that repeat an expression (the in-process figures only).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadInputs } from '../src/load/index.ts';
import { evaluatePolicySet, loadPolicySet } from '../src/policy/index.ts';
import { writeCorpus } from './corpus.ts';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
    'no-process': { type: 'boolean', default: false },
    'no-share': { type: 'boolean', default: false },
    /** Only write the 50 policies to DIR (to profile or reuse them) and exit. */
    'write-policies': { type: 'string' },
  },
});

const WORKLOADS = `["deployments", "statefulsets", "daemonsets", "replicasets"]`;

function rule(group: string, resources: string): string {
  return `      - apiGroups: ["${group}"]\n        apiVersions: ["v1"]\n        operations: ["CREATE", "UPDATE"]\n        resources: ${resources}\n`;
}

function policy(name: string, body: string, rules: string, extra = ''): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: ${name}
spec:
  failurePolicy: Fail
${extra}  matchConstraints:
    resourceRules:
${rules}${body}---
`;
}

const POD_SPEC = `    - name: podSpec
      expression: >-
        object.kind == 'Pod' ? object.spec :
        object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec :
        object.spec.template.spec
    - name: containers
      expression: >-
        variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])
`;

/** Ten kinds of rule a platform team writes; `v` varies thresholds and names. */
const TEMPLATES: ((v: number) => string)[] = [
  (v) =>
    policy(
      `required-labels-${v}`,
      `  variables:
    - name: missing
      expression: "${JSON.stringify(v === 0 ? ['app', 'team', 'owner'] : ['app', 'team'].slice(0, 1 + (v % 2))).replaceAll('"', "'")}.filter(l, !has(object.metadata.labels) || !(l in object.metadata.labels))"
  validations:
    - expression: "size(variables.missing) == 0"
      messageExpression: "'missing labels: ' + variables.missing.join(', ')"
      fieldPath: metadata.labels
`,
      rule('apps', WORKLOADS),
    ),
  (v) =>
    policy(
      `image-registry-${v}`,
      `  variables:
${POD_SPEC}  validations:
    - expression: "variables.containers.all(c, ${['registry.example.com/', 'docker.io/library/', 'ghcr.io/acme/'].slice(0, 1 + (v % 3)).map((r) => `c.image.startsWith('${r}')`).join(' || ')})"
      messageExpression: "'images from outside the registry: ' + variables.containers.filter(c, !c.image.startsWith('registry.example.com/')).map(c, c.image).join(', ')"
`,
      rule('', '["pods"]') + rule('apps', WORKLOADS) + rule('batch', '["jobs", "cronjobs"]'),
    ),
  (v) =>
    policy(
      `image-tag-${v}`,
      `  validations:
    - expression: >-
        object.spec.template.spec.containers.all(c, c.image.contains('@') ||
          (c.image.substring(c.image.lastIndexOf('/') + 1).contains(':') && !c.image.endsWith(':latest')))
      message: images need a fixed tag (variant ${v})
      fieldPath: spec.template.spec.containers
`,
      rule('apps', '["deployments", "statefulsets"]'),
    ),
  (v) =>
    policy(
      `replica-limit-${v}`,
      `  validations:
    - expression: "!has(object.spec.replicas) || object.spec.replicas <= int(params.data.maxReplicas)"
      messageExpression: "'at most ' + params.data.maxReplicas + ' replicas'"
      fieldPath: spec.replicas
`,
      rule('apps', '["deployments"]'),
      '  paramKind:\n    apiVersion: v1\n    kind: ConfigMap\n',
    ) +
    `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: replica-limit-${v}
spec:
  policyName: replica-limit-${v}
  validationActions: [Deny]
  paramRef:
    name: replica-limit-${v}
    namespace: policy-params
    parameterNotFoundAction: Deny
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: replica-limit-${v}
  namespace: policy-params
data:
  maxReplicas: "${v + 1}"
---
`,
  (v) =>
    policy(
      `memory-limit-${v}`,
      `  validations:
    - expression: >-
        object.spec.template.spec.containers.all(c, !has(c.resources.limits) || !('memory' in c.resources.limits) ||
          quantity(string(c.resources.limits.memory)).compareTo(quantity('${64 * (v + 1)}Mi')) <= 0)
      message: memory limit above ${64 * (v + 1)}Mi
`,
      rule('apps', WORKLOADS),
    ),
  (v) =>
    policy(
      `run-as-non-root-${v}`,
      `  variables:
${POD_SPEC}  validations:
    - expression: >-
        (has(variables.podSpec.securityContext) && has(variables.podSpec.securityContext.runAsNonRoot) && variables.podSpec.securityContext.runAsNonRoot)
        || variables.containers.all(c, has(c.securityContext) && has(c.securityContext.runAsNonRoot) && c.securityContext.runAsNonRoot)
      message: pods must run as non-root (variant ${v})
`,
      rule('', '["pods"]') + rule('apps', WORKLOADS) + rule('batch', '["jobs", "cronjobs"]'),
    ),
  (v) =>
    policy(
      `no-node-port-${v}`,
      `  validations:
    - expression: "!has(object.spec.type) || object.spec.type != 'NodePort'"
      message: NodePort services are not allowed (variant ${v})
      fieldPath: spec.type
`,
      rule('', '["services"]'),
      `  matchConditions:\n    - name: not-system\n      expression: "object.metadata.namespace != 'kube-system-${v}'"\n`,
    ),
  (v) =>
    policy(
      `no-wildcard-verbs-${v}`,
      `  validations:
    - expression: "!has(object.rules) || object.rules.all(r, !('*' in r.verbs))"
      message: roles must not grant every verb (variant ${v})
      fieldPath: rules
`,
      rule('rbac.authorization.k8s.io', '["roles", "clusterroles"]'),
    ),
  (v) =>
    policy(
      `netpol-egress-${v}`,
      `  validations:
    - expression: "has(object.spec.policyTypes) && object.spec.policyTypes.exists(t, t == 'Egress' || t == 'Ingress')"
      message: NetworkPolicies must name their policy types (variant ${v})
`,
      rule('networking.k8s.io', '["networkpolicies"]'),
    ),
  (v) =>
    policy(
      `no-host-ports-${v}`,
      `  validations:
    - expression: "object.spec.template.spec.containers.all(c, !has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort > ${1000 * v}))"
      message: host ports are not allowed (variant ${v})
`,
      rule('apps', WORKLOADS),
    ),
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface ProcessRun {
  wallMs: number;
  /** User + system CPU of the process (GNU time), NaN without it. */
  cpuMs: number;
}

// CPU time comes from GNU time around the process, as in bench/scan.ts: on a shared machine the
// wall clock also measures the other processes.
const gnuTime = '/usr/bin/time';

function runScanProcess(dir: string, extra: string[]): Promise<ProcessRun> {
  const bin = join(new URL('..', import.meta.url).pathname, 'bin', 'bulwark.js');
  const scan = [bin, 'scan', dir, '--format', 'json', '--output', join(dir, '..', 'report.json'), ...extra];
  const [command, args] = existsSync(gnuTime) ? [gnuTime, ['-f', 'cpu=%U %S', process.execPath, ...scan]] : [process.execPath, scan];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', () => {
      const cpu = /cpu=([0-9.]+) ([0-9.]+)/.exec(stderr);
      resolve({ wallMs: performance.now() - started, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : Number.NaN });
    });
  });
}

function writePolicies(dir: string): void {
  mkdirSync(dir, { recursive: true });
  let count = 0;
  for (const template of TEMPLATES) {
    for (let v = 0; v < 5; v++) writeFileSync(join(dir, `policy-${String(count++).padStart(2, '0')}.yaml`), template(v));
  }
}

async function main(): Promise<void> {
  if (values['write-policies'] !== undefined) {
    writePolicies(values['write-policies']);
    return;
  }
  const root = mkdtempSync(join(tmpdir(), 'bulwark-policy-bench-'));
  try {
    const corpus = join(root, 'corpus');
    const policies = join(root, 'policies');
    writeCorpus(corpus, { objects: Number(values.objects), files: 50, namespaces: 200 });
    writePolicies(policies);

    const compileStart = performance.now();
    const { set, diagnostics } = await loadPolicySet([policies]);
    const compileMs = performance.now() - compileStart;
    const errors = diagnostics.filter((d) => d.level === 'error');
    if (errors.length > 0) throw new Error(`policies do not compile: ${errors.map((d) => d.message).join('\n')}`);
    const { objects } = await loadInputs([corpus]);

    const times: number[] = [];
    // CPU time as well as wall time: on a shared machine the wall clock also counts other processes.
    const cpuTimes: number[] = [];
    const threadTimes: number[] = [];
    let evaluations = 0;
    let violations = 0;
    // The first run is what a scan process pays: cold JIT, every object wrapped for the first time.
    let coldCpu = 0;
    let coldThread = 0;
    const options = { shareResults: !values['no-share'] };
    for (let run = 0; run < Number(values.runs) + 1; run++) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const thread = process.threadCpuUsage();
      const result = evaluatePolicySet(set, objects, options);
      const threadUsed = process.threadCpuUsage(thread);
      const used = process.cpuUsage(cpu);
      const elapsed = performance.now() - started;
      if (run === 0) {
        coldCpu = (used.user + used.system) / 1000;
        coldThread = (threadUsed.user + threadUsed.system) / 1000;
      }
      if (run > 0) {
        // The first run warms the JIT, as the first thousand objects of a long scan would.
        times.push(elapsed);
        cpuTimes.push((used.user + used.system) / 1000);
        threadTimes.push((threadUsed.user + threadUsed.system) / 1000);
      }
      evaluations = result.evaluations;
      violations = result.violations.length;
    }
    console.log(
      `policies=${set.policies.length} objects=${objects.length} compile=${compileMs.toFixed(0)}ms ` +
        `evaluations=${evaluations} violations=${violations} ` +
        `evaluate_best=${Math.min(...times).toFixed(0)}ms evaluate_median=${median(times).toFixed(0)}ms ` +
        `evaluate_cpu_median=${median(cpuTimes).toFixed(0)}ms evaluate_thread_cpu_median=${median(threadTimes).toFixed(0)}ms ` +
        `evaluate_cold_cpu=${coldCpu.toFixed(0)}ms evaluate_cold_thread_cpu=${coldThread.toFixed(0)}ms shared=${options.shareResults} ` +
        `per_evaluation_cpu=${((median(cpuTimes) * 1000) / Math.max(evaluations, 1)).toFixed(1)}us cores=${cpus().length}`,
    );

    if (!values['no-process']) {
      const plain: ProcessRun[] = [];
      const withPolicies: ProcessRun[] = [];
      await runScanProcess(corpus, []); // warm the compile cache and the page cache
      await runScanProcess(corpus, ['--policy', policies]);
      for (let run = 0; run < Number(values.runs); run++) {
        plain.push(await runScanProcess(corpus, []));
        withPolicies.push(await runScanProcess(corpus, ['--policy', policies]));
      }
      const wall = (runs: ProcessRun[]) => median(runs.map((r) => r.wallMs));
      const cpu = (runs: ProcessRun[]) => median(runs.map((r) => r.cpuMs));
      console.log(
        `scan_wall_median=${wall(plain).toFixed(0)}ms scan_with_policies_wall_median=${wall(withPolicies).toFixed(0)}ms ` +
          `added_wall=${(wall(withPolicies) - wall(plain)).toFixed(0)}ms ` +
          `scan_cpu_median=${cpu(plain).toFixed(0)}ms scan_with_policies_cpu_median=${cpu(withPolicies).toFixed(0)}ms ` +
          `added_cpu=${(cpu(withPolicies) - cpu(plain)).toFixed(0)}ms (target: under 1000ms added)`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
