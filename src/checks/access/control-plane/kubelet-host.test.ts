import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runChecks } from '../../../engine/run.ts';
import { objectsFromYaml } from '../../../load/testing/objects.ts';
import { kubeletChecks } from './kubelet-config.ts';
import { kubeletConfigFromHostSensor } from './kubelet-host.ts';

const settings = { pss: { level: 'restricted' as const, version: 'latest' as const } };

function kubeletInfo(cmdLine: string, config?: string): string {
  const file = config === undefined ? '{}' : `{content: ${Buffer.from(config).toString('base64')}}`;
  return `apiVersion: hostdata.kubescape.cloud/v1beta0\nkind: KubeletInfo\nmetadata: {name: node-1}\ndata:\n  cmdLine: ${JSON.stringify(cmdLine)}\n  configFile: ${file}\n`;
}

const hardened = `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous: {enabled: false}
  x509: {clientCAFile: /etc/kubernetes/pki/ca.crt}
authorization: {mode: Webhook}
readOnlyPort: 0
`;

function effective(text: string) {
  return kubeletConfigFromHostSensor(objectsFromYaml(text, 'node.yaml')[0]!);
}

function failing(text: string): string[] {
  const { findings } = runChecks(objectsFromYaml(text, 'node.yaml'), kubeletChecks, { settings });
  return [...new Set(findings.map((finding) => finding.control))].sort();
}

describe('kubelet settings from a host-sensor KubeletInfo', () => {
  it('folds command-line flags over the config file, as the kubelet does', () => {
    const fields = effective(kubeletInfo('/usr/bin/kubelet --config=/var/lib/kubelet/config.yaml --anonymous-auth=true --read-only-port 10255 --feature-gates=RotateKubeletServerCertificate=true', hardened));
    assert.deepEqual(fields?.['authentication'], { anonymous: { enabled: true }, x509: { clientCAFile: '/etc/kubernetes/pki/ca.crt' } });
    assert.equal(fields?.['readOnlyPort'], 10255);
    assert.deepEqual(fields?.['featureGates'], { RotateKubeletServerCertificate: true });
    const checks = failing(kubeletInfo('/usr/bin/kubelet --config=/c.yaml --anonymous-auth=true', hardened));
    assert.ok(checks.includes('kubelet-anonymous-auth'), checks.join());
    assert.ok(!checks.includes('kubelet-authorization-always-allow'));
  });

  it('applies the command-line defaults when no config file is used', () => {
    const checks = failing(kubeletInfo('/usr/bin/kubelet --bootstrap-kubeconfig=/etc/kubernetes/bootstrap.conf'));
    for (const id of ['kubelet-anonymous-auth', 'kubelet-authorization-always-allow', 'kubelet-client-ca', 'kubelet-read-only-port']) {
      assert.ok(checks.includes(id), `${id} in ${checks.join()}`);
    }
    assert.deepEqual(failing(kubeletInfo('/usr/bin/kubelet --anonymous-auth=false --authorization-mode=Webhook --client-ca-file=/ca.crt --read-only-port=0')).filter((id) => ['kubelet-anonymous-auth', 'kubelet-authorization-always-allow', 'kubelet-client-ca', 'kubelet-read-only-port'].includes(id)), []);
  });

  it('judges nothing when the config file it runs with could not be read or is not a kubelet configuration', () => {
    assert.equal(effective(kubeletInfo('--config=/var/lib/kubelet/config.yaml')), undefined);
    assert.equal(effective(kubeletInfo('/usr/bin/kubelet --config=/c.yaml', 'apiVersion: v1\nkind: ConfigMap\n')), undefined);
    assert.equal(effective(kubeletInfo('/usr/bin/kubelet --config=/c.yaml', 'a: [')), undefined);
    assert.deepEqual(failing(kubeletInfo('--config=/var/lib/kubelet/config.yaml')), []);
  });

  it('ignores a flag value the kubelet would refuse, and never throws on any command line', () => {
    assert.equal(effective(kubeletInfo('/usr/bin/kubelet --config=/c.yaml --anonymous-auth=maybe', hardened))?.['authentication'] !== undefined, true);
    assert.deepEqual((effective(kubeletInfo('/usr/bin/kubelet --config=/c.yaml --anonymous-auth=maybe', hardened))?.['authentication'] as { anonymous: unknown }).anonymous, { enabled: false });
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.option(fc.string({ maxLength: 200 }), { nil: undefined }), (cmdLine, config) => {
        const object = objectsFromYaml(kubeletInfo(cmdLine, config), 'node.yaml')[0]!;
        kubeletConfigFromHostSensor(object);
      }),
      { numRuns: 300 },
    );
  });
});
