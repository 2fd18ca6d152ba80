import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { KubeObject } from '../core/index.ts';
import { toKubeObject } from './collect.ts';
import { apiServerPods, controlPlanePods, describeSource, flagFile, resolveFile } from './control-plane.ts';

const FILE = 'cluster://test';

/** A kube-apiserver mirror pod as the kubelet writes it from kubeadm's static pod. */
function apiServerPod(options: { name?: string; flags?: string[]; volumes?: unknown[]; mounts?: unknown[]; labels?: Record<string, string>; command?: string[] } = {}) {
  return toKubeObject(
    {
      metadata: { name: options.name ?? 'kube-apiserver-cp-1', namespace: 'kube-system', labels: options.labels ?? { component: 'kube-apiserver', tier: 'control-plane' } },
      spec: {
        nodeName: 'cp-1',
        hostNetwork: true,
        containers: [{ name: 'kube-apiserver', image: 'registry.k8s.io/kube-apiserver:v1.37.2', command: options.command ?? ['kube-apiserver', ...(options.flags ?? [])], volumeMounts: options.mounts ?? [] }],
        volumes: options.volumes ?? [],
      },
    },
    'v1',
    'Pod',
    FILE,
  )!;
}

describe('controlPlanePods and apiServerPods', () => {
  it('finds kube-system pods labelled as components, and the kube-apiserver among them by command', () => {
    const pods = [
      apiServerPod(),
      apiServerPod({ name: 'etcd-cp-1', labels: { component: 'etcd', tier: 'control-plane' }, command: ['etcd', '--data-dir=/var/lib/etcd'] }),
      toKubeObject({ metadata: { name: 'web', namespace: 'kube-system', labels: { app: 'web' } }, spec: { containers: [{ name: 'w', image: 'w', command: ['kube-apiserver'] }] } }, 'v1', 'Pod', FILE)!,
      toKubeObject({ metadata: { name: 'kube-apiserver-x', namespace: 'shop', labels: { component: 'kube-apiserver' } }, spec: { containers: [] } }, 'v1', 'Pod', FILE)!,
    ];
    const found = controlPlanePods(pods);
    assert.deepEqual(found.map((p) => p.name), ['kube-apiserver-cp-1', 'etcd-cp-1']);
    const servers = apiServerPods(found);
    assert.deepEqual(servers.map((s) => [s.pod.name, s.invocation?.component]), [['kube-apiserver-cp-1', 'kube-apiserver']]);
  });

  it('finds a self-hosted control plane: a DaemonSet of kube-system, its volumes read from the template', () => {
    const daemonSet = toKubeObject(
      {
        metadata: { name: 'kube-apiserver', namespace: 'kube-system', labels: { 'k8s-app': 'kube-apiserver', tier: 'control-plane' } },
        spec: {
          template: {
            metadata: { labels: { 'k8s-app': 'kube-apiserver' } },
            spec: {
              containers: [{ name: 'kube-apiserver', command: ['/hyperkube', 'kube-apiserver', '--encryption-provider-config=/etc/kubernetes/secrets/enc.yaml'], volumeMounts: [{ name: 'secrets', mountPath: '/etc/kubernetes/secrets' }] }],
              volumes: [{ name: 'secrets', secret: { secretName: 'kube-apiserver' } }],
            },
          },
        },
      },
      'apps/v1',
      'DaemonSet',
      FILE,
    )!;
    const [server] = apiServerPods(controlPlanePods([daemonSet]));
    assert.deepEqual(flagFile(server!, 'encryption-provider-config'), { path: '/etc/kubernetes/secrets/enc.yaml', source: { kind: 'secret', namespace: 'kube-system', name: 'kube-apiserver', key: 'enc.yaml' } });
  });

  it('keeps a pod labelled kube-apiserver that runs something else, without an invocation', () => {
    const servers = apiServerPods([apiServerPod({ command: ['/bin/sh', '-c', 'sleep 1'] })]);
    assert.equal(servers.length, 1);
    assert.equal(servers[0]!.invocation, undefined);
  });
});

const resolve = (pod: KubeObject, container: Record<string, unknown>, path: string) => resolveFile(pod.raw['spec'] as Record<string, unknown>, 'kube-system', container, path);

describe('resolveFile', () => {
  const flag = '--encryption-provider-config=/etc/kubernetes/enc/encryption.yaml';

  it('follows a hostPath volume (kubeadm) to the node\'s file', () => {
    const pod = apiServerPod({ flags: [flag], mounts: [{ name: 'enc', mountPath: '/etc/kubernetes/enc', readOnly: true }], volumes: [{ name: 'enc', hostPath: { path: '/srv/enc', type: 'DirectoryOrCreate' } }] });
    const found = flagFile(apiServerPods([pod])[0]!, 'encryption-provider-config');
    assert.deepEqual(found, { path: '/etc/kubernetes/enc/encryption.yaml', source: { kind: 'host', path: '/srv/enc/encryption.yaml' } });
    assert.match(describeSource(found!.source), /node's file \/srv\/enc\/encryption\.yaml/);
  });

  it('follows ConfigMap and Secret volumes to a key, honouring items and subPath', () => {
    const container = (mounts: unknown[]) => ({ name: 'kube-apiserver', volumeMounts: mounts });
    const pod = (volumes: unknown[]) => apiServerPod({ volumes });
    assert.deepEqual(resolve(pod([{ name: 'enc', configMap: { name: 'encryption' } }]), container([{ name: 'enc', mountPath: '/etc/kubernetes/enc/' }]), '/etc/kubernetes/enc/encryption.yaml'), {
      kind: 'configmap',
      namespace: 'kube-system',
      name: 'encryption',
      key: 'encryption.yaml',
    });
    assert.deepEqual(
      resolve(pod([{ name: 'enc', secret: { secretName: 'enc-keys', items: [{ key: 'config', path: 'enc.yaml' }] } }]), container([{ name: 'enc', mountPath: '/etc/enc' }]), '/etc/enc/enc.yaml'),
      { kind: 'secret', namespace: 'kube-system', name: 'enc-keys', key: 'config' },
    );
    assert.deepEqual(
      resolve(pod([{ name: 'enc', configMap: { name: 'cfg' } }]), container([{ name: 'enc', mountPath: '/etc/enc.yaml', subPath: 'encryption.yaml' }]), '/etc/enc.yaml'),
      { kind: 'configmap', namespace: 'kube-system', name: 'cfg', key: 'encryption.yaml' },
    );
    // The deepest mount wins, as in the container's filesystem.
    assert.deepEqual(
      resolve(
        pod([{ name: 'etc', hostPath: { path: '/etc/kubernetes' } }, { name: 'enc', projected: { sources: [{ secret: { name: 'enc' } }] } }]),
        container([{ name: 'etc', mountPath: '/etc/kubernetes' }, { name: 'enc', mountPath: '/etc/kubernetes/enc' }]),
        '/etc/kubernetes/enc/config.yaml',
      ),
      { kind: 'secret', namespace: 'kube-system', name: 'enc', key: 'config.yaml' },
    );
  });

  it('says when the API cannot show the file: no volume, an emptyDir, items that map another key, ".."', () => {
    const container = { name: 'c', volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }, { name: 'cm', mountPath: '/cm' }] };
    const pod = apiServerPod({ volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'cm', configMap: { name: 'x', items: [{ key: 'a', path: 'a.yaml' }] } }] });
    assert.equal(resolve(pod, container, '/etc/enc.yaml').kind, 'elsewhere');
    assert.match(describeSource(resolve(pod, container, '/scratch/enc.yaml')), /volume scratch \(emptyDir\)/);
    assert.match(describeSource(resolve(pod, container, '/cm/b.yaml')), /maps no key/);
    assert.equal(resolve(pod, container, '/cm/../etc/shadow').kind, 'elsewhere');
  });

  it('never throws on any pod spec (untrusted API answers)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), fc.string(), (spec, container, path) => {
        const pod = toKubeObject({ metadata: { name: 'p', namespace: 'kube-system' }, spec }, 'v1', 'Pod', FILE)!;
        const fields = container !== null && typeof container === 'object' && !Array.isArray(container) ? (container as Record<string, unknown>) : {};
        const source = resolve(pod, fields, path);
        assert.equal(typeof describeSource(source), 'string');
        apiServerPods(controlPlanePods([pod]));
      }),
      { numRuns: 500 },
    );
  });
});
