// Benchmark of the test control plane: how long startControlPlane() and stop() take, in the default
// configuration and with encryption at rest + audit log on, and the first requests after readiness.
// Usage: node bench/testenv.ts [--runs 3]
// Needs the binaries of testenv/build.sh. Prints the median and range of each phase, in ms, and the
// CPU time kube-apiserver spent getting ready (wall times on a shared machine mostly measure the others).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cpus, loadavg, totalmem } from 'node:os';
import { encryptionConfiguration, missingControlPlane, pins, startControlPlane, type ControlPlaneOptions } from '../testenv/index.ts';
import { httpsRequest } from '../testenv/https-client.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Math.max(1, Number(values.runs));

const missing = missingControlPlane();
if (missing !== false) {
  process.stderr.write(`bench/testenv: ${missing}\n`);
  process.exit(2);
}

interface Sample {
  certificates: number;
  etcd: number;
  apiserver: number;
  start: number;
  /** CPU time kube-apiserver used until ready: the figure contention does not inflate. */
  apiserverCpu: number;
  firstList: number;
  stop: number;
}

/** User + system CPU milliseconds a process has used so far (Linux /proc). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function once(options: ControlPlaneOptions): Promise<Sample> {
  const plane = await startControlPlane(options);
  try {
    const apiserverCpu = cpuMs(plane.pids.kubeApiserver);
    const listed = performance.now();
    const response = await httpsRequest(`${plane.server}/api/v1/namespaces`, { ca: plane.ca.cert, cert: plane.admin.cert, key: plane.admin.key }, { timeoutMs: 10_000, maxBytes: 1 << 20 });
    if (response.status !== 200) throw new Error(`list namespaces: ${response.status}`);
    const firstList = performance.now() - listed;
    const stopping = performance.now();
    await plane.stop();
    const { certificatesMs, etcdMs, apiserverMs, totalMs } = plane.timings;
    return { certificates: certificatesMs, etcd: etcdMs, apiserver: apiserverMs, start: totalMs, apiserverCpu, firstList, stop: performance.now() - stopping };
  } finally {
    await plane.stop();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]): string => `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;

const { kubernetes, etcd } = pins();
process.stdout.write(`kube-apiserver ${kubernetes}, etcd ${etcd}; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; ${runs} run(s) each\n`);
process.stdout.write(`load average before: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
process.stdout.write('| configuration | certificates | etcd ready | kube-apiserver ready | start total | kube-apiserver CPU to ready | first list | stop |\n|---|---|---|---|---|---|---|---|\n');
for (const [name, options] of [
  ['default', {}],
  ['aescbc + audit log', { encryption: encryptionConfiguration('aescbc'), audit: { log: true } }],
] as const) {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once(options));
  const col = (key: keyof Sample): string => fmt(samples.map((s) => s[key]));
  process.stdout.write(`| ${name} | ${col('certificates')} | ${col('etcd')} | ${col('apiserver')} | ${col('start')} | ${col('apiserverCpu')} | ${col('firstList')} | ${col('stop')} |\n`);
}
process.stdout.write(`ms: median (min–max); load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
