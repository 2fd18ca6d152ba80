// Benchmark of the test control plane: how long startControlPlane() and stop() take, in the default
// configuration and with encryption at rest + audit log on, and the first requests after readiness.
// Usage: node bench/testenv.ts [--runs 3]
// Needs the binaries of testenv/build.sh. Prints the median and range of each phase, in ms.
import { parseArgs } from 'node:util';
import { cpus, totalmem } from 'node:os';
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
  firstList: number;
  stop: number;
}

async function once(options: ControlPlaneOptions): Promise<Sample> {
  const plane = await startControlPlane(options);
  try {
    const listed = performance.now();
    const response = await httpsRequest(`${plane.server}/api/v1/namespaces`, { ca: plane.ca.cert, cert: plane.admin.cert, key: plane.admin.key }, { timeoutMs: 10_000, maxBytes: 1 << 20 });
    if (response.status !== 200) throw new Error(`list namespaces: ${response.status}`);
    const firstList = performance.now() - listed;
    const stopping = performance.now();
    await plane.stop();
    return { ...plane.timings, start: plane.timings.totalMs, firstList, stop: performance.now() - stopping, certificates: plane.timings.certificatesMs, etcd: plane.timings.etcdMs, apiserver: plane.timings.apiserverMs };
  } finally {
    await plane.stop();
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (xs: number[]): string => `${Math.round(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;

const { kubernetes, etcd } = pins();
process.stdout.write(`kube-apiserver ${kubernetes}, etcd ${etcd}; ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; ${runs} run(s) each\n`);
process.stdout.write('| configuration | certificates | etcd ready | kube-apiserver ready | start total | first list | stop |\n|---|---|---|---|---|---|---|\n');
for (const [name, options] of [
  ['default', {}],
  ['aescbc + audit log', { encryption: encryptionConfiguration('aescbc'), audit: { log: true } }],
] as const) {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once(options));
  const col = (key: keyof Sample): string => fmt(samples.map((s) => s[key]));
  process.stdout.write(`| ${name} | ${col('certificates')} | ${col('etcd')} | ${col('apiserver')} | ${col('start')} | ${col('firstList')} | ${col('stop')} |\n`);
}
process.stdout.write('ms: median (min–max)\n');
