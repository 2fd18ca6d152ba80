import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { encryptionChecks } from '../checks/access/control-plane/encryption.ts';
import type { KubeObject } from '../core/index.ts';
import { runChecks } from '../engine/run.ts';
import { ApiError, type ClusterClient } from './client.ts';
import { toKubeObject } from './collect.ts';
import { isEtcdUnreachable, readApiServerEncryption, redactKeys, type EncryptionConfigOptions } from './encryption-config.ts';
import { BulwarkError } from '../core/index.ts';

const FILE = 'cluster://test';
const KEY = 'c2VjcmV0IGlzIHNlY3VyZSwgb3IgaXMgaXQ/Cg==';
const settings = { pss: { level: 'restricted' as const, version: 'latest' as const } };

const configuration = (first: string) =>
  `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - ${first}\n  - identity: {}\n`;
const AESCBC = `aescbc: {keys: [{name: key1, secret: "${KEY}"}]}`;

function pod(flags: string[], volume: Record<string, unknown> | undefined, name = 'kube-apiserver-cp-1'): KubeObject {
  return toKubeObject(
    {
      metadata: { name, namespace: 'kube-system', labels: { component: 'kube-apiserver', tier: 'control-plane' } },
      spec: {
        containers: [{ name: 'kube-apiserver', command: ['kube-apiserver', ...flags], volumeMounts: volume === undefined ? [] : [{ name: 'enc', mountPath: '/etc/kubernetes/enc' }] }],
        volumes: volume === undefined ? [] : [{ name: 'enc', ...volume }],
      },
    },
    'v1',
    'Pod',
    FILE,
  )!;
}
const FLAG = '--encryption-provider-config=/etc/kubernetes/enc/config.yaml';
const configMap = (text: string) => toKubeObject({ metadata: { name: 'encryption', namespace: 'kube-system' }, data: { 'config.yaml': text } }, 'v1', 'ConfigMap', FILE)!;

/** Answers GETs from a table; anything else is a 404, as the API server would say. */
function client(answers: Record<string, unknown | ApiError> = {}): ClusterClient & { paths: string[] } {
  const paths: string[] = [];
  const get = async (path: string) => {
    paths.push(path);
    const answer = answers[path];
    if (answer instanceof ApiError) throw answer;
    if (answer === undefined) throw new ApiError(404, path, 'not found');
    return answer;
  };
  const refuse = async () => {
    throw new Error('not expected');
  };
  return { context: 'test', server: 'https://127.0.0.1', get, post: refuse, put: refuse, delete: refuse, requests: 0, paths };
}

const base: EncryptionConfigOptions = { cwd: process.cwd(), provenByEtcd: false, podsUnreadable: false, clusterFile: FILE };
const findings = (objects: readonly KubeObject[]) => runChecks(objects, encryptionChecks, { settings }).findings;

describe('readApiServerEncryption', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-enc-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the EncryptionConfiguration from a ConfigMap volume the scan read, blanks keys, and leaves no gap', async () => {
    const result = await readApiServerEncryption(client(), [pod([FLAG], { configMap: { name: 'encryption' } }), configMap(configuration('identity: {}'))], base);
    assert.deepEqual(result.state.gaps, []);
    assert.equal(result.state.verifiedBy, 'configuration');
    assert.deepEqual(result.state.apiServers, [{ pod: 'kube-system/kube-apiserver-cp-1', config: '/etc/kubernetes/enc/config.yaml', source: 'ConfigMap kube-system/encryption key config.yaml', read: true }]);
    const objects = result.units.flatMap((u) => u.objects);
    assert.deepEqual(objects.map((o) => [o.kind, o.namespace, o.name, o.source.file]), [['EncryptionConfiguration', 'kube-system', 'encryption', FILE]]);
    assert.deepEqual(findings(objects).map((f) => f.control), ['encryption-identity-first']);
    assert.ok(result.diagnostics.some((d) => d.level === 'note' && /reads its EncryptionConfiguration .* from ConfigMap kube-system\/encryption/.test(d.message)));
  });

  it('reads a Secret volume from the API (collected Secrets are blanked) and never keeps the key', async () => {
    const secret = { metadata: { name: 'enc', namespace: 'kube-system' }, data: { 'config.yaml': Buffer.from(configuration(AESCBC)).toString('base64') } };
    const api = client({ '/api/v1/namespaces/kube-system/secrets/enc': secret });
    const result = await readApiServerEncryption(api, [pod([FLAG], { secret: { secretName: 'enc' } })], base);
    assert.deepEqual(result.state.gaps, []);
    const objects = result.units.flatMap((u) => u.objects);
    assert.deepEqual(findings(objects).map((f) => f.control), ['encryption-local-key-provider']);
    assert.ok(!JSON.stringify(objects.map((o) => o.raw)).includes(KEY), 'the key is blanked');
  });

  it('reports a forbidden or missing Secret as a gap naming why', async () => {
    const forbidden = client({ '/api/v1/namespaces/kube-system/secrets/enc': new ApiError(403, '/api/v1/namespaces/kube-system/secrets/enc', 'forbidden') });
    const result = await readApiServerEncryption(forbidden, [pod([FLAG], { secret: { secretName: 'enc' } })], base);
    assert.equal(result.state.verifiedBy, 'none');
    assert.match(result.state.gaps[0]!, /Secret kube-system\/enc key config\.yaml is forbidden for these credentials \(get secrets in kube-system\)/);
    assert.ok(result.diagnostics.some((d) => d.level === 'warning' && /^coverage gap: encryption at rest not verified: kube-apiserver kube-system\/kube-apiserver-cp-1 names/.test(d.message)));
    const missing = await readApiServerEncryption(client(), [pod([FLAG], { secret: { secretName: 'enc' } })], base);
    assert.match(missing.state.gaps[0]!, /does not exist/);
  });

  it('reports a hostPath file (kubeadm) as a gap, and judges a local copy passed by flag instead', async () => {
    const pods = [pod([FLAG], { hostPath: { path: '/etc/kubernetes/enc' } }), pod([FLAG], { hostPath: { path: '/etc/kubernetes/enc' } }, 'kube-apiserver-cp-2')];
    const unknown = await readApiServerEncryption(client(), pods, base);
    assert.equal(unknown.state.gaps.length, 1);
    assert.match(unknown.state.gaps[0]!, /kube-apiserver kube-system\/kube-apiserver-cp-1, kube-system\/kube-apiserver-cp-2 read their EncryptionConfiguration .* the node's file \/etc\/kubernetes\/enc\/config\.yaml .*--encryption-config FILE/);
    const copy = join(dir, 'encryption.yaml');
    writeFileSync(copy, configuration('identity: {}'));
    const judged = await readApiServerEncryption(client(), pods, { ...base, file: copy });
    assert.deepEqual(judged.state.gaps, []);
    assert.equal(judged.state.verifiedBy, 'configuration');
    const found = findings(judged.units.flatMap((u) => u.objects));
    assert.deepEqual(found.map((f) => [f.control, f.location.line > 0]), [['encryption-identity-first', true]]);
  });

  it('reports a managed control plane (no kube-apiserver pod) and unlistable pods as gaps', async () => {
    const managed = await readApiServerEncryption(client(), [], base);
    assert.match(managed.state.gaps[0]!, /no kube-apiserver pod in kube-system: the control plane is managed/);
    const forbidden = await readApiServerEncryption(client(), [], { ...base, podsUnreadable: true });
    assert.match(forbidden.state.gaps[0]!, /pods cannot be listed/);
  });

  it('is verified without a gap when the flag is absent (nothing encrypted), and when etcd proved it', async () => {
    const unset = await readApiServerEncryption(client(), [pod([], undefined)], base);
    assert.deepEqual(unset.state, { verifiedBy: 'configuration', apiServers: [{ pod: 'kube-system/kube-apiserver-cp-1', config: null, source: null, read: false }], gaps: [] });
    const etcd = await readApiServerEncryption(client(), [], { ...base, provenByEtcd: true });
    assert.equal(etcd.state.verifiedBy, 'etcd');
    assert.ok(!etcd.diagnostics.some((d) => d.level === 'warning'));
  });

  it('refuses a local copy that holds no EncryptionConfiguration, naming the flag and the file', async () => {
    const wrong = join(dir, 'wrong.yaml');
    writeFileSync(wrong, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    const result = await readApiServerEncryption(client(), [], { ...base, file: wrong });
    assert.ok(result.diagnostics.some((d) => d.level === 'error' && d.message.startsWith('--encryption-config: ') && d.location?.file === wrong));
    const absent = await readApiServerEncryption(client(), [], { ...base, file: join(dir, 'absent.yaml') });
    assert.ok(absent.diagnostics.some((d) => d.level === 'error' && /--encryption-config/.test(d.message)));
  });

  it('never throws on any ConfigMap content or pod shape (untrusted API answers)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), fc.jsonValue(), async (text, spec) => {
        const odd = toKubeObject({ metadata: { name: 'kube-apiserver-x', namespace: 'kube-system', labels: { component: 'kube-apiserver' } }, spec }, 'v1', 'Pod', FILE)!;
        const result = await readApiServerEncryption(client(), [pod([FLAG], { configMap: { name: 'encryption' } }), configMap(text), odd], base);
        findings(result.units.flatMap((u) => u.objects));
      }),
      { numRuns: 300 },
    );
  });
});

describe('redactKeys and isEtcdUnreachable', () => {
  it('blanks every secret string, at any depth, and keeps the rest', () => {
    assert.deepEqual(redactKeys({ a: [{ secret: 's', name: 'k' }], secret: { nested: 1 } }), { a: [{ secret: '', name: 'k' }], secret: { nested: 1 } });
  });

  it('treats connection failures as unreachable and flag mistakes as errors', () => {
    assert.ok(isEtcdUnreachable(new BulwarkError('E_TOOL_FAILED', 'cannot reach etcd')));
    assert.ok(!isEtcdUnreachable(new BulwarkError('E_USAGE', 'must be https')));
    assert.ok(!isEtcdUnreachable(new Error('x')));
  });
});
