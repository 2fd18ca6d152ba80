// Benchmark of the admission webhook over HTTPS on loopback, driven by a real load generator (wrk):
// recorded AdmissionReviews of realistic Pods and Deployments (compliant, baseline-only, privileged;
// 1–3 containers) through Pod Security (enforce baseline, warn + audit restricted), the full
// per-object catalog (warn: every control runs and its findings become warnings) and 20 CEL
// ValidatingAdmissionPolicies.
// Usage: node bench/admission.ts [--rate 1000] [--duration 20] [--connections 50] [--no-policies] [--no-catalog]
// Prints: in-process cost per review, then wrk at a fixed rate (achieved rate, p50/p90/p99, errors) and
// at saturation (requests/s). wrk paces each connection with a delay, so the fixed rate is approximate
// (the achieved rate is printed).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { webhookCertificates } from '../src/admission/certificates.ts';
import { parseConfig } from '../src/admission/config.ts';
import { parseAdmissionReview, reviewResponse } from '../src/admission/review.ts';
import { toResponse } from '../src/admission/routes.ts';
import { createAdmissionService } from '../src/admission/service.ts';
import { compliantContainer, deployment, pod, privilegedContainer, review } from '../src/admission/testing/reviews.ts';
import { collectStartupGarbage } from '../src/server/heap.ts';
import { startServer } from '../src/server/index.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '50' },
    'no-policies': { type: 'boolean', default: false },
    'no-catalog': { type: 'boolean', default: false },
  },
});
const rate = Number(values.rate);
const duration = Number(values.duration);
const connections = Number(values.connections);

function policy(index: number): string {
  // Twenty rules of the kinds teams write: labels, registries, tags, replicas, resources, probes.
  const kinds = [
    ["has(object.metadata.labels) && 'app' in object.metadata.labels", 'an app label is required'],
    ["!has(object.metadata.labels) || !('env' in object.metadata.labels) || object.metadata.labels['env'] in ['dev', 'staging', 'prod']", 'env must be dev, staging or prod'],
    ["variables.containers.all(c, c.image.startsWith('registry.example.com/') || c.image.startsWith('docker.io/library/') || !c.image.contains('/'))", 'images must come from registry.example.com'],
    ["variables.containers.all(c, !c.image.endsWith(':latest'))", 'the latest tag is not allowed'],
    ["object.kind != 'Deployment' || object.spec.replicas <= 50", 'at most 50 replicas'],
    ['variables.containers.all(c, has(c.resources) && has(c.resources.limits) && \'memory\' in c.resources.limits)', 'memory limits are required'],
    ['variables.containers.all(c, has(c.resources) && has(c.resources.requests) && \'cpu\' in c.resources.requests)', 'cpu requests are required'],
    ['variables.containers.all(c, c.name.size() <= 40)', 'container names must be short'],
    ["!has(variables.spec.hostAliases)", 'hostAliases are not allowed'],
    ["!has(variables.spec.nodeName)", 'nodeName may not be set by hand'],
  ];
  const [expression, message] = kinds[index % kinds.length] as [string, string];
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: bench-${index}}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [pods]}
      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [deployments]}
  variables:
    - name: spec
      expression: "object.kind == 'Pod' ? object.spec : object.spec.template.spec"
    - name: containers
      expression: "variables.spec.containers"
  validations:
    - expression: ${JSON.stringify(expression)}
      message: "${message} (${index})"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: bench-${index}}
spec:
  policyName: bench-${index}
  validationActions: [${index % 2 === 0 ? 'Deny' : 'Warn'}]
`;
}

/** The recorded requests: a realistic mix, most of them admitted. */
function reviews(): string[] {
  const bodies: string[] = [];
  const namespaces = ['shop', 'payments', 'search', 'platform'];
  for (let i = 0; i < 48; i++) {
    const namespace = namespaces[i % namespaces.length] as string;
    const containers = Array.from({ length: 1 + (i % 3) }, (_, index) => compliantContainer(`c${index}`, `registry.example.com/team${i % 5}/svc${index}:1.${i}.0`));
    let object: Record<string, unknown>;
    switch (i % 6) {
      case 0:
        object = pod(`web-${i}`, containers, namespace);
        break;
      case 1:
        object = deployment(`api-${i}`, containers, namespace);
        break;
      case 2:
        object = pod(`job-${i}`, [{ name: 'app', image: `registry.example.com/batch/job:${i}`, resources: { requests: { cpu: '100m' }, limits: { memory: '64Mi' } } }], namespace);
        break;
      case 3:
        object = deployment(`bad-${i}`, [privilegedContainer()], namespace);
        break;
      case 4:
        object = deployment(`worker-${i}`, [...containers, { ...compliantContainer('sidecar', 'registry.example.com/mesh/proxy:1.22') }], namespace);
        break;
      default:
        object = pod(`debug-${i}`, [{ ...privilegedContainer(), image: 'busybox:latest' }], namespace);
    }
    bodies.push(JSON.stringify(review(object, { uid: `bench-${i}`, namespace })));
  }
  return bodies;
}

function wrkScript(bodiesFile: string, delayMs: number): string {
  // Requests are formatted once; each connection takes the next recorded review in turn.
  return `
local bodies = {}
for line in io.lines("${bodiesFile}") do bodies[#bodies + 1] = line end
local requests = {}
local index = 0
function init(args)
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format("POST", "/validate", { ["Content-Type"] = "application/json" }, body)
  end
end
function request()
  index = index % #requests + 1
  return requests[index]
end
${delayMs > 0 ? `function setup(thread) math.randomseed(os.time()) end
function delay() return math.floor(-math.log(1 - math.random()) * ${delayMs}) end` : ''}
`;
}

interface WrkResult {
  requests: number;
  rps: number;
  p50: string;
  p90: string;
  p99: string;
  errors: string;
  non2xx: number;
  raw: string;
}

function runWrk(url: string, script: string, options: { connections: number; threads: number; seconds: number }): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    // Asynchronous on purpose: the server under test shares this process's event loop.
    const child = spawn('wrk', ['-t', String(options.threads), '-c', String(options.connections), '-d', `${options.seconds}s`, '--latency', '-s', script, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const pick = (pattern: RegExp): string => pattern.exec(out)?.[1] ?? '?';
      resolve({
        requests: Number(pick(/(\d+) requests in/)),
        rps: Number(pick(/Requests\/sec:\s+([\d.]+)/)),
        p50: pick(/\s50%\s+([\d.]+\w+)/),
        p90: pick(/\s90%\s+([\d.]+\w+)/),
        p99: pick(/\s99%\s+([\d.]+\w+)/),
        errors: pick(/(Socket errors:.*)/) === '?' ? 'none' : pick(/(Socket errors:.*)/),
        non2xx: Number(pick(/Non-2xx or 3xx responses: (\d+)/) === '?' ? 0 : pick(/Non-2xx or 3xx responses: (\d+)/)),
        raw: out,
      });
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-admission-'));
try {
  const policyDir = join(dir, 'policies');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(policyDir);
  if (!values['no-policies']) for (let i = 0; i < 20; i++) writeFileSync(join(policyDir, `p${i}.yaml`), policy(i));
  const config = parseConfig({ catalog: { mode: values['no-catalog'] ? 'off' : 'warn' }, policies: { paths: values['no-policies'] ? [] : [policyDir] } });
  const registry = new Registry();
  const service = await createAdmissionService({ config, registry, staticNamespaces: { payments: { 'pod-security.kubernetes.io/enforce': 'restricted' } } });
  collectStartupGarbage(); // as `admission serve` does before it listens
  const bodies = reviews();
  writeFileSync(join(dir, 'bodies.jsonl'), `${bodies.join('\n')}\n`);

  const pki = await webhookCertificates(['127.0.0.1']);
  writeFileSync(join(dir, 'tls.crt'), pki.cert);
  writeFileSync(join(dir, 'tls.key'), pki.key);
  const server = await startServer({ host: '127.0.0.1', port: 0, tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') }, modules: [service.module], registry });
  const url = `${server.url}/validate`;

  // Pacing: each connection waits a random, exponentially distributed delay (mean `delay`) between
  // requests, so rate ≈ connections / (delay + latency) and arrivals are close to Poisson, as many
  // independent clients of an API server are. A fixed delay kept the connections in lock-step: every
  // `delay` ms all of them fired at once, and the p99 measured how long a burst of 50 takes to drain.
  const delayMs = Math.max(1, Math.round((connections * 1000) / rate) - 1);
  writeFileSync(join(dir, 'paced.lua'), wrkScript(join(dir, 'bodies.jsonl'), delayMs));
  writeFileSync(join(dir, 'flat.lua'), wrkScript(join(dir, 'bodies.jsonl'), 0));
  await runWrk(url, join(dir, 'flat.lua'), { connections: 4, threads: 1, seconds: 3 }); // warm-up (JIT, TLS sessions)
  const paced = await runWrk(url, join(dir, 'paced.lua'), { connections, threads: 1, seconds: duration });
  const saturated = await runWrk(url, join(dir, 'flat.lua'), { connections: 32, threads: 2, seconds: Math.min(duration, 15) });
  await server.close();
  // In-process, after the load runs (the garbage of its tight loop was collected by a major GC in the
  // middle of the fixed-rate run when it came first): what one review costs the CPU, without HTTP and
  // TLS: each body parsed afresh (as every request is), decided, and its response serialised. CPU
  // time, not wall time: the machine is shared.
  for (const body of bodies) await service.controller.validate(parseAdmissionReview(body));
  const rounds = 100;
  let denied = 0;
  const cpuBefore = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    for (const body of bodies) {
      const request = parseAdmissionReview(body);
      const decision = await service.controller.validate(request);
      reviewResponse(toResponse(request.uid, decision));
      if (!decision.allowed) denied++;
    }
  }
  const cpuUsed = process.cpuUsage(cpuBefore);
  const perReviewUs = (cpuUsed.user + cpuUsed.system) / (rounds * bodies.length);
  await service.stop();

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`admission benchmark — ${cpus().length} cores (${cpu}), machine shared with other engineers' jobs`);
  console.log(`workload: ${bodies.length} recorded AdmissionReviews (Pods and Deployments, 1–4 containers, ${Math.round((denied / (rounds * bodies.length)) * 100)}% refused); PSS baseline enforce + restricted warn/audit; ${config.catalog.mode === 'off' ? 'no' : 'the full'} catalog${config.catalog.mode === 'off' ? '' : ' (warn)'}; ${values['no-policies'] ? 0 : 20} CEL policies`);
  console.log(`in-process: ${perReviewUs.toFixed(0)} µs CPU per review (parse + decision + response, no HTTP/TLS)`);
  console.log(`fixed rate (target ${rate}/s, ${connections} connections, ${duration}s): achieved ${paced.rps.toFixed(0)}/s, ${paced.requests} requests, p50 ${paced.p50}, p90 ${paced.p90}, p99 ${paced.p99}, non-2xx ${paced.non2xx}, ${paced.errors}`);
  console.log(`saturation (32 connections, 2 wrk threads): ${saturated.rps.toFixed(0)}/s, p50 ${saturated.p50}, p99 ${saturated.p99}, non-2xx ${saturated.non2xx}, ${saturated.errors}`);
  if (process.env['BENCH_VERBOSE'] !== undefined) console.log(paced.raw, saturated.raw);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
