import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../core/index.ts';
import { parseIdentity, toRequest } from './access.ts';
import { createRateLimiter } from './rate-limit.ts';

const resources = [
  { group: '', resource: 'pods', kind: 'Pod' },
  { group: 'apps', resource: 'deployments', kind: 'Deployment' },
  { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', kind: 'CertificateSigningRequest' },
];

describe('toRequest', () => {
  it('resolves the group from discovery, as kubectl does', () => {
    assert.deepEqual(toRequest({ verb: 'create', resource: 'deployments', namespace: 'shop', name: '' }, resources), {
      verb: 'create', apiGroup: 'apps', resource: 'deployments', subresource: '', namespace: 'shop', name: '',
    });
    assert.deepEqual(toRequest({ verb: 'create', resource: 'pods/exec', namespace: 'shop', name: 'web' }, resources), {
      verb: 'create', apiGroup: '', resource: 'pods', subresource: 'exec', namespace: 'shop', name: 'web',
    });
    assert.equal((toRequest({ verb: 'get', resource: 'pod', namespace: '', name: '' }, resources) as { resource: string }).resource, 'pods');
    assert.deepEqual(toRequest({ verb: 'get', resource: 'widgets.example.com', namespace: '', name: '' }, resources), {
      verb: 'get', apiGroup: 'example.com', resource: 'widgets', subresource: '', namespace: '', name: '',
    });
    assert.deepEqual(toRequest({ verb: 'get', resource: '/metrics', namespace: '', name: '' }, resources), { verb: 'get', path: '/metrics' });
  });

  it('refuses unknown resources and malformed input with a usage error, for any input', () => {
    assert.throws(() => toRequest({ verb: 'get', resource: 'widgets', namespace: '', name: '' }, resources), (e: unknown) => e instanceof BulwarkError && e.code === 'E_USAGE');
    fc.assert(
      fc.property(fc.string(), fc.string(), (verb, resource) => {
        try {
          toRequest({ verb, resource, namespace: '', name: '' }, resources);
        } catch (error) {
          assert.ok(error instanceof BulwarkError && error.code === 'E_USAGE', String(error));
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseIdentity', () => {
  it('gives a ServiceAccount the groups its token carries', () => {
    assert.deepEqual(parseIdentity('system:serviceaccount:shop:ci'), {
      name: 'system:serviceaccount:shop:ci',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:shop', 'system:authenticated'],
    });
    assert.deepEqual(parseIdentity('jane', ['dev']), { name: 'jane', groups: ['system:authenticated', 'dev'] });
  });
});

describe('createRateLimiter', () => {
  it('lets a burst through at once, then spaces requests at the QPS', async () => {
    const limiter = createRateLimiter(20, 5);
    const started = performance.now();
    for (let i = 0; i < 5; i++) await limiter.take();
    assert.ok(performance.now() - started < 100);
    for (let i = 0; i < 4; i++) await limiter.take();
    // 4 more at 20/s is at least 150 ms (allowing for timer slack).
    assert.ok(performance.now() - started >= 150, `${performance.now() - started}`);
  });

  it('refuses a non-positive QPS', () => {
    assert.throws(() => createRateLimiter(0, 1), (e: unknown) => e instanceof BulwarkError && e.code === 'E_USAGE');
  });
});
