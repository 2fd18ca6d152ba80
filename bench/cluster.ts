// Benchmark of `bulwark cluster scan` against the test control plane seeded with 5,000 objects:
// 100 namespaces, 2,000 pods, 1,000 RBAC objects (400 Roles, 400 RoleBindings, 100 ClusterRoles,
// 100 ClusterRoleBindings), 1,400 ConfigMaps, 400 Secrets, 100 ServiceAccounts.
// Usage: node bench/cluster.ts [--runs 3]
// Each run is the real CLI in a fresh process (`cluster scan --format json`), measured with
// /usr/bin/time: wall time, user+system CPU, peak RSS; plus the scan's own split (connect+discovery,
// listing, analysis) from an in-process run. The machine is shared: CPU time is the steadier figure.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { connect, type ClusterClient } from '../src/cluster/client.ts';
import { runClusterScan } from '../src/cluster/scan.ts';
import { missingControlPlane, startControlPlane } from '../testenv/index.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Math.max(1, Number(values.runs));
const missing = missingControlPlane();
if (missing !== false) {
  process.stderr.write(`bench/cluster: ${missing}\n`);
  process.exit(2);
}

const RBAC = 'rbac.authorization.k8s.io/v1';
const REF = 'rbac.authorization.k8s.io';

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

async function seed(client: ClusterClient): Promise<number> {
  const namespaces = Array.from({ length: 100 }, (_, i) => `team-${String(i).padStart(3, '0')}`);
  const creates: [string, Record<string, unknown>][] = [];
  for (const ns of namespaces) creates.push(['/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }]);
  await pool(creates.splice(0), 16, ([path, body]) => client.post(path, body));
  namespaces.forEach((ns, n) => {
    creates.push([`/api/v1/namespaces/${ns}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app' } }]);
    for (let i = 0; i < 20; i++) {
      const risky = i % 5 === 0;
      creates.push([
        `/api/v1/namespaces/${ns}/pods`,
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `pod-${i}`, labels: { app: `app-${i % 4}` } },
          spec: {
            serviceAccountName: 'app',
            containers: [{ name: 'app', image: `registry.example/app:${i}`, securityContext: risky ? { privileged: true } : { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
          },
        },
      ]);
    }
    for (let i = 0; i < 14; i++) creates.push([`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { key: 'x'.repeat(200) } }]);
    for (let i = 0; i < 4; i++) creates.push([`/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: `s-${i}` }, stringData: { password: 'p' } }]);
    for (let i = 0; i < 4; i++) {
      creates.push([`/apis/${RBAC}/namespaces/${ns}/roles`, { apiVersion: RBAC, kind: 'Role', metadata: { name: `role-${i}` }, rules: [{ apiGroups: [''], resources: i === 0 ? ['secrets'] : ['configmaps'], verbs: ['get', 'list'] }] }]);
      creates.push([`/apis/${RBAC}/namespaces/${ns}/rolebindings`, { apiVersion: RBAC, kind: 'RoleBinding', metadata: { name: `rb-${i}` }, roleRef: { apiGroup: REF, kind: 'Role', name: `role-${i}` }, subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: ns }] }]);
    }
    creates.push([`/apis/${RBAC}/clusterroles`, { apiVersion: RBAC, kind: 'ClusterRole', metadata: { name: `team-${n}` }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', n % 10 === 0 ? 'create' : 'watch'] }] }]);
    creates.push([`/apis/${RBAC}/clusterrolebindings`, { apiVersion: RBAC, kind: 'ClusterRoleBinding', metadata: { name: `team-${n}` }, roleRef: { apiGroup: REF, kind: 'ClusterRole', name: `team-${n}` }, subjects: [{ kind: 'Group', name: `team-${n}`, apiGroup: REF }] }]);
  });
  await pool(creates, 16, ([path, body]) => client.post(path, body));
  return creates.length + namespaces.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const plane = await startControlPlane();
try {
  const client = await connect({ kubeconfig: plane.kubeconfigPath, qps: 2000, burst: 2000 });
  const seedStart = performance.now();
  const seeded = await seed(client);
  process.stdout.write(`seeded ${seeded} objects in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`);

  // In process: the scan's own phases (the client library is already loaded here).
  const split: { connect: number; list: number; analysis: number; cpu: number; objects: number; findings: number }[] = [];
  for (let i = 0; i < runs; i++) {
    // CPU of this process (the scan; the API server is another process): steadier than wall time on a shared machine.
    const cpuBefore = process.cpuUsage();
    const outcome = await runClusterScan({ kubeconfig: plane.kubeconfigPath, cwd: plane.dir, now: new Date(), toolVersion: 'bench' });
    const cpu = process.cpuUsage(cpuBefore);
    split.push({ connect: outcome.timings.connectMs, list: outcome.timings.collectMs, analysis: outcome.timings.analysisMs, cpu: (cpu.user + cpu.system) / 1000, objects: outcome.report.summary.objects + outcome.excluded, findings: outcome.report.findings.length });
  }
  // The CLI as users run it: a fresh process each time.
  const cli: { wall: number; cpu: number; rssMiB: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const result = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', process.execPath, 'bin/bulwark.js', 'cluster', 'scan', '--kubeconfig', plane.kubeconfigPath, '--format', 'json', '--output', '/dev/null'], { encoding: 'utf8' });
    const line = result.stderr.trim().split('\n').pop()!;
    const [wall, user, sys, rssKb] = line.split(' ').map(Number) as [number, number, number, number];
    if (result.status !== 0 && result.status !== 1) throw new Error(`cluster scan exited ${result.status}: ${result.stderr.slice(0, 500)}`);
    cli.push({ wall, cpu: user + sys, rssMiB: rssKb / 1024 });
  }
  const apiserverCpu = (() => {
    const fields = readFileSync(`/proc/${plane.pids.kubeApiserver}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  })();
  process.stdout.write(
    [
      `machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (shared with other work)`,
      `objects read per scan: ${split[0]!.objects}, findings: ${split[0]!.findings}`,
      `in process (median of ${runs}): connect+discovery ${median(split.map((s) => s.connect)).toFixed(0)} ms, listing ${median(split.map((s) => s.list)).toFixed(0)} ms, analysis ${median(split.map((s) => s.analysis)).toFixed(0)} ms; scan CPU ${median(split.map((s) => s.cpu)).toFixed(0)} ms`,
      `CLI process (median of ${runs}): wall ${median(cli.map((c) => c.wall)).toFixed(2)} s, CPU ${median(cli.map((c) => c.cpu)).toFixed(2)} s, peak RSS ${median(cli.map((c) => c.rssMiB)).toFixed(0)} MiB`,
      `CLI runs: ${cli.map((c) => `${c.wall.toFixed(2)} s / ${c.cpu.toFixed(2)} s CPU / ${c.rssMiB.toFixed(0)} MiB`).join('; ')}`,
      `kube-apiserver CPU since start (seeding + all scans): ${apiserverCpu.toFixed(1)} s`,
    ].join('\n') + '\n',
  );
} finally {
  await plane.stop();
}
