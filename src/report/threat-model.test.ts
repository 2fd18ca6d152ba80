// The threat model end to end: real files, through runScan as `bulwark scan --threat-model` runs it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runScan } from '../scan/run.ts';
import { formatThreatModel, threatModelFormat, type ThreatModel } from './threat-model.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-threat-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      containers:
      - name: web
        image: web:1
        securityContext: {privileged: true}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 443}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: web, namespace: shop}
rules: [{apiGroups: [""], resources: [secrets], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web, namespace: shop}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: web}
subjects: [{kind: ServiceAccount, name: web}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      automountServiceAccountToken: false
      containers: [{name: api, image: api:1}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 80}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api, namespace: shop}
spec:
  rules:
  - host: api.example.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: internal, namespace: shop}
spec:
  selector: {matchLabels: {app: internal}}
  template:
    metadata: {labels: {app: internal}}
    spec:
      containers: [{name: internal, image: internal:1}]
`;

async function scan(threatModel: boolean) {
  const dir = mkdtempSync(join(scratch, 'case-'));
  writeFileSync(join(dir, 'app.yaml'), MANIFESTS);
  return runScan({ paths: ['app.yaml'], kustomize: [], cwd: dir, now: new Date('2026-06-01T00:00:00Z'), toolVersion: 'test', threatModel });
}

describe('threat model', () => {
  it('lists exposed workloads only, dangerous ones first, with every step and its findings', async () => {
    const outcome = await scan(true);
    const model = outcome.threatModel as ThreatModel;
    assert.deepEqual(model.summary, { exposed: 2, dangerous: 1 });
    const [web, api] = model.paths;
    assert.equal(web!.workload.name, 'web');
    assert.equal(web!.dangerous, true);
    assert.deepEqual(web!.exposure.map((e) => e.via), ['Service web (a LoadBalancer open to every address)']);
    assert.ok(web!.exposure[0]!.findings.some((f) => f.control === 'network-service-external'));
    assert.deepEqual(web!.runsAs.hostAccess, ['container "web" is privileged']);
    assert.ok(web!.runsAs.findings.some((f) => f.control === 'pss-privileged'));
    assert.ok(web!.runsAs.findings.some((f) => f.control === 'develop-exposed-workload'));
    assert.equal(web!.identity.serviceAccount, 'shop/web');
    assert.deepEqual(web!.identity.may.map((m) => m.what), ['read Secrets']);
    assert.ok(web!.identity.findings.some((f) => f.control === 'rbac-secrets-read' && f.object.kind === 'Role'));
    assert.ok(web!.identity.findings.some((f) => f.control === 'rbac-workload-identity'));
    assert.equal(api!.workload.name, 'api');
    assert.equal(api!.dangerous, false);
    assert.equal(api!.identity.tokenMounted, false);
    assert.ok(api!.exposure[0]!.findings.some((f) => f.control === 'network-ingress-no-tls'));
  });

  it('leaves the report itself as it is without the view', async () => {
    const [plain, withView] = [await scan(false), await scan(true)];
    assert.equal(plain.threatModel, undefined);
    assert.deepEqual(
      withView.report.findings.map((f) => [f.control, f.location.line]),
      plain.report.findings.map((f) => [f.control, f.location.line]),
    );
  });

  it('renders text and a JSON document with one line per path', async () => {
    const model = (await scan(true)).threatModel!;
    const text = formatThreatModel(model, 'text');
    assert.match(text, /^Threat model: 2 workloads reachable from outside the cluster, 1 of them reaching the node or the cluster API\./);
    assert.match(text, /! Deployment shop\/web {2}\(app\.yaml:1\)/);
    assert.match(text, /identity {2}ServiceAccount shop\/web \(token mounted\) may:/);
    assert.match(text, /identity {2}ServiceAccount shop\/default, token not mounted/);
    const json = formatThreatModel(model, 'json');
    assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(model)));
    assert.equal(json.split('\n').filter((line) => line.startsWith('{"workload"')).length, 2);
  });

  it('says what each exposed workload reaches next, as NetworkPolicy allows it', async () => {
    const dir = mkdtempSync(join(scratch, 'reach-'));
    const workload = (name: string, port: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: shop}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: ${name}, image: ${name}:1, ports: [{containerPort: ${port}}]}]
---
`;
    writeFileSync(
      join(dir, 'app.yaml'),
      `${workload('web', 8080)}${workload('db', 5432)}${workload('cache', 6379)}apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 443, targetPort: 8080}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache, namespace: shop}
spec:
  podSelector: {matchLabels: {app: cache}}
  ingress: [{from: [{podSelector: {matchLabels: {app: db}}}]}]
`,
    );
    const outcome = await runScan({ paths: ['app.yaml'], kustomize: [], cwd: dir, now: new Date('2026-06-01T00:00:00Z'), toolVersion: 'test', threatModel: true });
    const model = outcome.threatModel as ThreatModel;
    assert.deepEqual(model.paths[0]!.reaches, [{ workload: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'db' }, ports: ['5432/TCP'] }]);
    assert.match(formatThreatModel(model, 'text'), /\n  reaches   Deployment shop\/db \(5432\/TCP\)\n/);
  });

  it('accepts table and json only', () => {
    assert.equal(threatModelFormat('table'), 'text');
    assert.equal(threatModelFormat('json'), 'json');
    assert.throws(() => threatModelFormat('sarif'), (error: Error & { code?: string }) => error.code === 'E_USAGE' && /--format table or --format json/.test(error.message));
  });

  it('says so when nothing is exposed', () => {
    const text = formatThreatModel({ schemaVersion: '1', tool: { name: 'bulwark', version: 't' }, paths: [], summary: { exposed: 0, dangerous: 0 } }, 'text');
    assert.equal(text, 'Threat model: no workload in the scanned set is reachable from outside the cluster.\n');
  });
});
