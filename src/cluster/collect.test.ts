import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { clusterFile, toKubeObject } from './collect.ts';
import { parseResourceList } from './discover.ts';

describe('toKubeObject', () => {
  it('restores apiVersion and kind, drops managedFields and blanks Secret values', () => {
    const object = toKubeObject(
      { metadata: { name: 'db', namespace: 'shop', managedFields: [{}] }, data: { password: 'aHVudGVyMg==' }, stringData: { token: 'x' } },
      'v1',
      'Secret',
      clusterFile('prod'),
    )!;
    assert.equal(object.kind, 'Secret');
    assert.equal(object.namespace, 'shop');
    assert.deepEqual(object.raw['data'], { password: '' });
    assert.deepEqual(object.raw['stringData'], { token: '' });
    assert.equal((object.raw['metadata'] as Record<string, unknown>)['managedFields'], undefined);
    assert.deepEqual(object.source, { kind: 'cluster', file: 'cluster://prod', document: 0, line: 0, column: 0 });
    assert.deepEqual(object.positions.locate(['spec']), { line: 0, column: 0 });
  });

  it('never throws on any JSON item (untrusted API answers)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (item) => {
        const object = toKubeObject(item, 'v1', 'Secret', 'cluster://x');
        if (object !== undefined) assert.equal(typeof object.name, 'string');
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseResourceList', () => {
  it('keeps resources and leaves out subresources', () => {
    const list = parseResourceList('apps', 'v1', {
      resources: [
        { name: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['list', 'get'] },
        { name: 'deployments/scale', kind: 'Scale', namespaced: true, verbs: ['get'] },
      ],
    });
    assert.deepEqual(list, [{ group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true, verbs: ['list', 'get'] }]);
  });

  it('never throws on any JSON answer', () => {
    fc.assert(fc.property(fc.jsonValue(), (body) => Array.isArray(parseResourceList('', 'v1', body))), { numRuns: 500 });
  });
});
