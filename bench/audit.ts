// Benchmark of audit ingestion. Prints, each on one line:
//   detect   parse EventList bodies and run the built-in rules (no recording)
//   ingest   the same, plus every event and alert appended to a file-store ledger (fsync group commit)
//   https    the same through the webhook endpoint over HTTPS (client in this process too)
// Events are a mix like a busy cluster's: mostly reads and updates by system components at
// Metadata level, some object creations with request bodies (pods, deployments, RBAC), a few user
// actions that raise alerts (exec, secret reads, privileged pods).
// Usage: node bench/audit.ts [--events 200000] [--batch 400] [--in-flight 4] [--skip-https]
// Every figure comes with its CPU time: on a shared machine wall time mostly measures the others.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AuditIngestor, auditReceiver, createDetector, eventsOfDocument } from '../src/audit/index.ts';
import { rawAuditEvent, podObject } from '../src/audit/testing.ts';
import { initLedger, openLedger } from '../src/ledger/index.ts';
import { startServer } from '../src/server/index.ts';
import { createCertificateAuthority, issueCertificate } from '../testenv/certificates.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '400' },
    'in-flight': { type: 'string', default: '4' },
    'skip-https': { type: 'boolean', default: false },
  },
});
const total = Number(values.events);
const batchSize = Number(values.batch);
const inFlight = Number(values['in-flight']);

/** One event of the mix; `i` makes every auditID distinct. */
function mixEvent(i: number): Record<string, unknown> {
  const auditID = `bench-${i}`;
  const r = i % 100;
  if (r < 55) return rawAuditEvent({ auditID, user: `system:node:node-${i % 50}`, verb: r % 3 === 0 ? 'watch' : 'get', resource: r % 2 === 0 ? 'pods' : 'configmaps', name: `obj-${i % 1000}`, code: 200 });
  if (r < 75) return rawAuditEvent({ auditID, user: 'system:serviceaccount:kube-system:replicaset-controller', verb: 'update', resource: 'pods', subresource: 'status', name: `web-${i % 1000}`, code: 200 });
  if (r < 85) return rawAuditEvent({ auditID, user: 'system:serviceaccount:kube-system:replicaset-controller', resource: 'pods', requestObject: podObject({ serviceAccountName: 'web' }, [{ name: 'app', image: 'registry.example.com/team/web:1.4.2', resources: { limits: { cpu: '500m', memory: '256Mi' } } }, { name: 'proxy', image: 'envoyproxy/envoy:v1.31' }]) });
  if (r < 90) return rawAuditEvent({ auditID, user: 'ci-deployer', resource: 'deployments', apiGroup: 'apps', requestObject: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `svc-${i % 100}` }, spec: { replicas: 3, template: { spec: { containers: [{ name: 'app', image: 'registry.example.com/svc:2' }] } } } } });
  if (r < 93) return rawAuditEvent({ auditID, user: 'minikube-user', resource: 'clusterroles', requestObject: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] } });
  if (r < 96) return rawAuditEvent({ auditID, user: 'alice', verb: 'get', resource: 'secrets', name: 'db', code: 200 });
  if (r < 98) return rawAuditEvent({ auditID, user: 'alice', stage: 'ResponseStarted', subresource: 'exec', name: 'web-1', code: 101, uri: '/api/v1/namespaces/default/pods/web-1/exec?command=sh' });
  return rawAuditEvent({ auditID, user: 'mallory', resource: 'pods', requestObject: podObject({ hostNetwork: true }, [{ name: 'x', image: 'alpine', securityContext: { privileged: true } }]) });
}

const bodies: string[] = [];
for (let first = 0; first < total; first += batchSize) {
  const items = [];
  for (let i = first; i < Math.min(total, first + batchSize); i++) items.push(mixEvent(i));
  bodies.push(JSON.stringify({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items }));
}
const averageBytes = Math.round(bodies.reduce((sum, b) => sum + b.length, 0) / total);
const cpuUs = (usage: NodeJS.CpuUsage): number => usage.user + usage.system;

console.log(`# bulwark audit benchmark — node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString().slice(0, 10)}, load average ${loadavg()[0]!.toFixed(1)}`);
console.log(`# ${total} events in EventList batches of ${batchSize}, ${averageBytes} bytes per event on average`);

const detector = createDetector();
{
  let alerts = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const body of bodies) {
    const { events } = eventsOfDocument(JSON.parse(body), 'bench');
    for (const event of events) alerts += detector.detect(event).length;
  }
  const ms = performance.now() - started;
  const used = cpuUs(process.cpuUsage(cpu));
  console.log(`detect events=${total} alerts=${alerts} wall=${(ms / 1000).toFixed(2)}s events_per_s=${Math.round(total / (ms / 1000))} cpu_us_per_event=${(used / total).toFixed(1)} one_core_events_per_s=${Math.round(1e6 / (used / total))}`);
}

const root = mkdtempSync(join(tmpdir(), 'bulwark-audit-bench-'));
try {
  const dir = join(root, 'ledger');
  await initLedger({ dir, checkpointEveryMs: 0 });
  const ledger = await openLedger({ dir });
  const ingestor = new AuditIngestor({ detector, ledger });
  {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const pending = new Set<Promise<unknown>>();
    for (const body of bodies) {
      const { events } = eventsOfDocument(JSON.parse(body), 'bench');
      const p: Promise<unknown> = ingestor.ingest(events).finally(() => pending.delete(p));
      pending.add(p);
      if (pending.size >= inFlight) await Promise.race(pending);
    }
    await Promise.all(pending);
    const ms = performance.now() - started;
    const used = cpuUs(process.cpuUsage(cpu));
    console.log(
      `ingest events=${total} entries=${ingestor.stats.appended} durability=fsync in_flight=${inFlight} wall=${(ms / 1000).toFixed(2)}s events_per_s=${Math.round(total / (ms / 1000))} cpu_us_per_event=${(used / total).toFixed(1)} one_core_events_per_s=${Math.round(1e6 / (used / total))}`,
    );
  }

  if (!values['skip-https']) {
    const authority = await createCertificateAuthority('bench-ca');
    const pair = await issueCertificate(authority, { commonName: 'bench', hosts: ['127.0.0.1'], usages: ['server'] });
    writeFileSync(join(root, 'tls.crt'), pair.cert);
    writeFileSync(join(root, 'tls.key'), pair.key);
    // A fresh receiver state: the same events again would all be duplicates.
    const httpsIngestor = new AuditIngestor({ detector, ledger });
    const server = await startServer({ port: 0, host: '127.0.0.1', tls: { certFile: join(root, 'tls.crt'), keyFile: join(root, 'tls.key') }, modules: [auditReceiver({ ingestor: httpsIngestor })], requestTimeoutMs: 60_000 });
    const agent = new Agent({ keepAlive: true, maxSockets: inFlight, ca: authority.cert });
    const post = (body: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = request(`${server.url}/audit`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', reject);
        req.end(body);
      });
    const cpu = process.cpuUsage();
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < bodies.length) {
        const status = await post(bodies[next++]!);
        if (status !== 200) throw new Error(`HTTP ${status}`);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const ms = performance.now() - started;
    const used = cpuUs(process.cpuUsage(cpu));
    console.log(
      `https events=${total} batches=${bodies.length} in_flight=${inFlight} wall=${(ms / 1000).toFixed(2)}s events_per_s=${Math.round(total / (ms / 1000))} cpu_us_per_event=${(used / total).toFixed(1)} (client and server in one process) one_core_events_per_s=${Math.round(1e6 / (used / total))}`,
    );
    agent.destroy();
    await server.close();
  }
  await ledger.close();
} finally {
  rmSync(root, { recursive: true, force: true });
}
