import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { createObjectSet } from './object-set.ts';

const account = (name: string, namespace?: string, extra = ''): string =>
  `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${name}${namespace === undefined ? '' : `, namespace: ${namespace}`}}\n${extra}`;

describe('createObjectSet', () => {
  const objects = objectsFromYaml(
    [
      account('web', 'shop'),
      account('web', 'shop', 'automountServiceAccountToken: false\n'),
      account('web', 'other'),
      account('web'),
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: web, namespace: shop}\n',
    ].join('---\n'),
    'set.yaml',
  );
  const set = createObjectSet(objects);

  it('finds an object by kind, namespace and name; the last definition wins, as applying the stream leaves it', () => {
    assert.equal(set.find('ServiceAccount', 'shop', 'web')?.raw['automountServiceAccountToken'], false);
    assert.equal(set.find('ServiceAccount', 'other', 'web')?.namespace, 'other');
    assert.equal(set.find('ServiceAccount', null, 'web')?.namespace, null);
    assert.equal(set.find('Secret', 'shop', 'web')?.kind, 'Secret');
    assert.equal(set.find('Namespace', null, 'shop')?.kind, 'Namespace');
    assert.equal(set.find('ServiceAccount', 'shop', 'api'), undefined);
    assert.equal(set.find('ServiceAccount', 'elsewhere', 'web'), undefined);
    assert.equal(set.find('Deployment', 'shop', 'web'), undefined);
  });

  it('lists the objects of a kind in scan order', () => {
    assert.deepEqual(
      set.ofKind('ServiceAccount').map((o) => o.namespace),
      ['shop', 'shop', 'other', null],
    );
    assert.deepEqual(set.ofKind('Pod'), []);
  });
});
