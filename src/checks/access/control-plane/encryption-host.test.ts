import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runChecks } from '../../../engine/run.ts';
import { objectsFromYaml } from '../../../load/testing/objects.ts';
import { encryptionChecks } from './encryption.ts';

const settings = { pss: { level: 'restricted' as const, version: 'latest' as const } };

function controlPlaneInfo(config: string | undefined): string {
  const file = config === undefined ? '{path: /etc/kubernetes/enc.yaml}' : `{path: /etc/kubernetes/enc.yaml, content: ${Buffer.from(config).toString('base64')}}`;
  return `apiVersion: hostdata.kubescape.cloud/v1beta0\nkind: ControlPlaneInfo\nmetadata: {name: cp-1}\ndata:\n  APIServerInfo:\n    encryptionProviderConfigFile: ${file}\n`;
}

const config = (provider: string) => `apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n- resources: [secrets]\n  providers:\n  - ${provider}\n`;

describe('encryption config read from a host-sensor ControlPlaneInfo', () => {
  it('judges the embedded file as a standalone one, pointing at its content and naming the file', () => {
    const { findings } = runChecks(objectsFromYaml(controlPlaneInfo(config('identity: {}')), 'cp.yaml'), encryptionChecks, { settings });
    assert.ok(findings.length > 0);
    for (const finding of findings) {
      assert.equal(finding.location.path, 'data.APIServerInfo.encryptionProviderConfigFile.content');
      assert.match(finding.message, /^encryption config \/etc\/kubernetes\/enc\.yaml: /);
    }
    const strong = runChecks(objectsFromYaml(controlPlaneInfo(config('aesgcm: {keys: [{name: k1, secret: c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTIzNA==}]}')), 'cp.yaml'), encryptionChecks, { settings });
    assert.ok(!strong.findings.some((f) => /plain text/.test(f.message)));
  });

  it('judges nothing when the file could not be read or is not an EncryptionConfiguration', () => {
    for (const text of [controlPlaneInfo(undefined), controlPlaneInfo('kind: ConfigMap\napiVersion: v1\n'), controlPlaneInfo('a: [')]) {
      assert.deepEqual(runChecks(objectsFromYaml(text, 'cp.yaml'), encryptionChecks, { settings }).findings, []);
    }
  });
});
