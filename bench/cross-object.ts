// Benchmark of the cross-object pass and the RBAC engine, in process (CPU time, so that other load on
// the machine distorts less than wall time would).
// Usage: node bench/cross-object.ts [--objects 10000] [--runs 7] [--rbac 5000]
// Prints: the whole cross-object pass over the scan corpus (median and best of the runs, each on a
// fresh object set, as a scan builds one), the costliest checks of the median run, and the RBAC
// engine's index build, who-can and authorize rates over `--rbac` generated roles and bindings.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KubeObject } from '../src/core/index.ts';
import { allSetChecks } from '../src/checks/catalog.ts';
import { createObjectSet } from '../src/engine/object-set.ts';
import { runSetChecks } from '../src/engine/run.ts';
import { streamInputs } from '../src/load/index.ts';
import { createRbacIndex } from '../src/rbac/effective.ts';
import type { Binding, Role } from '../src/rbac/model.ts';
import { serviceAccountUser } from '../src/rbac/subjects.ts';
import { writeCorpus } from './corpus.ts';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '7' },
    rbac: { type: 'string', default: '5000' },
  },
});
const runs = Number(values.runs);

function cpuMs(run: () => void): number {
  const start = process.cpuUsage();
  run();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function median(numbers: number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function crossObjectPass(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-cross-'));
  try {
    writeCorpus(dir, { objects: Number(values.objects), files: 50, namespaces: 200 });
    const kinds = new Set(allSetChecks.flatMap((check) => check.kinds));
    const kept: KubeObject[] = [];
    for await (const unit of streamInputs({ paths: readdirSync(dir).map((file) => join(dir, file)), kustomize: [] }, { cwd: dir })) {
      for (const object of unit.objects) if (kinds.has(object.kind)) kept.push(object);
    }
    const settings = { pss: { level: 'restricted' as const, version: 'latest' as const } };
    const totals: number[] = [];
    const perCheck: Map<string, number>[] = [];
    let findings = 0;
    let cold: { total: number; times: Map<string, number> } | undefined;
    for (let run = 0; run < runs + 1; run++) {
      const set = createObjectSet(kept);
      const times = new Map<string, number>();
      let count = 0;
      const total = cpuMs(() => {
        for (const check of allSetChecks) {
          times.set(check.id, cpuMs(() => (count += runSetChecks(set, [check], { settings }).findings.length)));
        }
      });
      // The first run pays for JIT warm-up, as a scan's one pass does: reported on its own.
      if (run === 0) {
        cold = { total, times };
        continue;
      }
      totals.push(total);
      perCheck.push(times);
      findings = count;
    }
    const middle = totals.indexOf(median(totals));
    const top = [...perCheck[middle]!].sort((a, b) => b[1] - a[1]).slice(0, 6);
    console.log(
      `cross_object objects=${values.objects} kept=${kept.length} checks=${allSetChecks.length} findings=${findings} ` +
        `cpu_median=${median(totals).toFixed(0)}ms cpu_best=${Math.min(...totals).toFixed(0)}ms`,
    );
    console.log(`  costliest: ${top.map(([id, ms]) => `${id}=${ms.toFixed(1)}ms`).join(' ')}`);
    if (cold !== undefined) {
      const coldTop = [...cold.times].sort((a, b) => b[1] - a[1]).slice(0, 6);
      console.log(`  first (JIT-cold, as in a scan) run: cpu=${cold.total.toFixed(0)}ms; costliest: ${coldTop.map(([id, ms]) => `${id}=${ms.toFixed(1)}ms`).join(' ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Roles and bindings spread over namespaces: half ClusterRoles, RoleBindings to both kinds. */
function rbacInput(count: number): { roles: Role<string>[]; bindings: Binding<string>[] } {
  const roles: Role<string>[] = [];
  const bindings: Binding<string>[] = [];
  const verbs = [['get', 'list', 'watch'], ['create', 'update', 'patch'], ['*']];
  const resources = [['pods'], ['secrets'], ['deployments', 'statefulsets'], ['configmaps', 'services'], ['pods/exec']];
  for (let i = 0; i < count; i++) {
    const namespace = `team-${i % 100}`;
    const cluster = i % 2 === 0;
    roles.push({
      kind: cluster ? 'ClusterRole' : 'Role',
      namespace: cluster ? null : namespace,
      name: `role-${i}`,
      labels: {},
      rules: [{ verbs: verbs[i % verbs.length]!, apiGroups: i % 3 === 0 ? ['apps'] : [''], resources: resources[i % resources.length]!, resourceNames: [], nonResourceURLs: [] }],
      aggregation: undefined,
      builtin: false,
      source: `role-${i}`,
    });
    bindings.push({
      kind: i % 10 === 0 ? 'ClusterRoleBinding' : 'RoleBinding',
      namespace: i % 10 === 0 ? null : namespace,
      name: `binding-${i}`,
      roleRef: { kind: cluster ? 'ClusterRole' : 'Role', name: `role-${i}` },
      subjects: [
        { kind: 'ServiceAccount', name: `sa-${i % 500}`, namespace },
        { kind: 'Group', name: `group-${i % 50}`, namespace: '' },
      ],
      source: `binding-${i}`,
    });
  }
  return { roles, bindings };
}

function rbacEngine(): void {
  const count = Number(values.rbac);
  const { roles, bindings } = rbacInput(count);
  const builds: number[] = [];
  let index = createRbacIndex(roles, bindings);
  for (let run = 0; run < runs; run++) builds.push(cpuMs(() => (index = createRbacIndex(roles, bindings))));
  const queries = 2000;
  const requests = Array.from({ length: queries }, (_, i) => ({
    verb: ['get', 'create', 'list'][i % 3]!,
    apiGroup: '',
    resource: ['secrets', 'pods', 'configmaps'][i % 3]!,
    subresource: i % 7 === 0 ? 'exec' : '',
    namespace: `team-${i % 100}`,
    name: '',
  }));
  index.whoCan(requests[0]!); // builds nothing lazily, but warms the code
  const whoCan = cpuMs(() => {
    for (const request of requests) index.whoCan(request);
  });
  const users = Array.from({ length: queries }, (_, i) => serviceAccountUser(`team-${i % 100}`, `sa-${i % 500}`));
  index.authorize(users[0]!, requests[0]!); // the first identity query builds the subject index
  const authorize = cpuMs(() => {
    for (let i = 0; i < queries; i++) index.authorize(users[i]!, requests[i]!);
  });
  const holders = cpuMs(() => {
    for (const role of roles) index.holdersOfRole(role);
  });
  console.log(
    `rbac roles=${count} bindings=${count} index_build_median=${median(builds).toFixed(1)}ms ` +
      `who_can=${(whoCan / queries * 1000).toFixed(0)}us/query authorize=${(authorize / queries * 1000).toFixed(1)}us/query ` +
      `holders_all_roles=${holders.toFixed(1)}ms`,
  );
}

console.log(`# cross-object benchmark — node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${new Date().toISOString().slice(0, 10)}`);
await crossObjectPass();
rbacEngine();
