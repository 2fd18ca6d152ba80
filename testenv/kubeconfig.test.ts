import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { buildKubeconfig } from './kubeconfig.ts';

describe('buildKubeconfig', () => {
  it('is read by the Kubernetes client: one context per identity, admin current, credentials embedded', () => {
    const text = buildKubeconfig('https://127.0.0.1:6443', 'CA PEM', [
      { name: 'admin', cert: 'ADMIN CERT', key: 'ADMIN KEY' },
      { name: 'restricted', cert: 'R CERT', key: 'R KEY' },
    ], 'admin');
    const config = new KubeConfig();
    config.loadFromString(text);
    assert.equal(config.getCurrentContext(), 'admin');
    assert.deepEqual(config.getContexts().map((context) => [context.name, context.user]), [['admin', 'admin'], ['restricted', 'restricted']]);
    assert.equal(config.getCurrentCluster()?.server, 'https://127.0.0.1:6443');
    assert.equal(Buffer.from(config.getCurrentCluster()!.caData!, 'base64').toString(), 'CA PEM');
    assert.equal(Buffer.from(config.getUser('restricted')!.certData!, 'base64').toString(), 'R CERT');
    assert.equal(Buffer.from(config.getUser('restricted')!.keyData!, 'base64').toString(), 'R KEY');
  });
});
