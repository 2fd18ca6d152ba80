// SetCheck.kinds is what a scan keeps in memory for a check: a kind read but not declared would be
// missing in a real scan. Every cross-object check of the access, network, develop and compute areas
// runs here on a set built from all their fixtures, and every kind it asks the set for is recorded.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ObjectSet } from '../check.ts';
import { createObjectSet } from '../../engine/object-set.ts';
import { objectsFromYaml } from '../../load/testing/objects.ts';
import { accessSetChecks } from '../access/index.ts';
import { computeSetChecks } from '../compute/cross/index.ts';
import { networkSetChecks } from '../network/index.ts';
import { developSetChecks } from './index.ts';

const checks = [...accessSetChecks, ...networkSetChecks, ...developSetChecks, ...computeSetChecks];
const objects = checks.flatMap((check) => [...check.fixtures.fail, ...check.fixtures.pass].flatMap((text, index) => objectsFromYaml(text, `${check.id}-${index}.yaml`)));

function recording(set: ObjectSet, read: Set<string>): ObjectSet {
  return {
    get objects() {
      read.add('*');
      return set.objects;
    },
    ofKind(kind) {
      read.add(kind);
      return set.ofKind(kind);
    },
    find(kind, namespace, name) {
      read.add(kind);
      return set.find(kind, namespace, name);
    },
    pods: (object) => set.pods(object),
  };
}

for (const check of checks) {
  it(`${check.id} reads only the kinds it declares`, () => {
    const read = new Set<string>();
    const declared = new Set(check.kinds);
    // The set holds only declared kinds, as a scan's does; reading `objects` is fine on such a set.
    const set = recording(createObjectSet(objects.filter((object) => declared.has(object.kind))), read);
    for (const violation of check.evaluateSet(set, { pss: { level: 'restricted', version: 'latest' } })) void violation;
    read.delete('*');
    assert.deepEqual([...read].filter((kind) => !declared.has(kind)), []);
  });
}
