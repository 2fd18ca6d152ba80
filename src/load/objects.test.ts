import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { documentsToObjects } from './objects.ts';
import { parseYamlStream } from './yaml.ts';

const load = (text: string, file = 'f.yaml') => documentsToObjects(parseYamlStream(text, file).documents, file);

describe('documentsToObjects', () => {
  it('turns documents into objects with identity and source position', () => {
    const { objects, diagnostics } = load(
      '# leading comment\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n',
    );
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      objects.map((o) => [o.apiVersion, o.kind, o.namespace, o.name, o.source]),
      [
        ['v1', 'Pod', 'shop', 'web', { file: 'f.yaml', document: 0, line: 2, column: 1 }],
        ['v1', 'Namespace', null, 'shop', { file: 'f.yaml', document: 1, line: 8, column: 1 }],
      ],
    );
    assert.deepEqual(objects[0]!.positions.locate(['metadata', 'namespace']), { line: 6, column: 3 });
  });

  it('names an object by generateName when it has no name', () => {
    const { objects } = load('apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n');
    assert.equal(objects[0]!.name, 'migrate-*');
    assert.equal(load('apiVersion: v1\nkind: Pod\n').objects[0]!.name, '');
  });

  it('expands List kinds, with each item positioned where it is written', () => {
    const { objects, diagnostics } = load(
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata:\n    name: b\n  spec:\n    replicas: 2\n',
    );
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      objects.map((o) => [o.kind, o.name, o.source.document, o.source.line, o.source.column]),
      [
        ['Service', 'a', 0, 4, 3],
        ['Deployment', 'b', 1, 7, 3],
      ],
    );
    assert.deepEqual(objects[1]!.positions.locate(['spec', 'replicas']), { line: 12, column: 5 });
    assert.deepEqual(objects[1]!.raw, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'b' }, spec: { replicas: 2 } });
  });

  it('expands typed lists (PodList) but keeps a kind ending in List without items', () => {
    assert.equal(load('apiVersion: v1\nkind: PodList\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p}}\n').objects[0]!.kind, 'Pod');
    const custom = load('apiVersion: example.com/v1\nkind: AllowList\nspec: {}\n');
    assert.equal(custom.objects[0]!.kind, 'AllowList');
  });

  it('skips what is not a Kubernetes object with a note, and empty documents silently', () => {
    const { objects, diagnostics } = load('---\n# nothing\n---\n- a\n- b\n---\njust text\n---\nfoo: bar\n---\napiVersion: v1\nkind: 3\n');
    assert.deepEqual(objects, []);
    assert.deepEqual(
      diagnostics.map((d) => [d.level, d.code, d.location.line, d.message]),
      [
        ['note', 'E_INPUT', 4, 'skipped: not a Kubernetes object (the document is a sequence)'],
        ['note', 'E_INPUT', 7, 'skipped: not a Kubernetes object (the document is a string)'],
        ['note', 'E_INPUT', 9, 'skipped: not a Kubernetes object (no string apiVersion and kind)'],
        ['note', 'E_INPUT', 11, 'skipped: not a Kubernetes object (no string kind)'],
      ],
    );
  });

  it('skips List items that are not objects, keeping the others', () => {
    const { objects, diagnostics } = load('apiVersion: v1\nkind: List\nitems:\n- 42\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n');
    assert.deepEqual(
      objects.map((o) => o.kind),
      ['Secret'],
    );
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0]!.location.line, 4);
  });

  it('reports a document at another file, with lines counted from a given line', () => {
    const outcome = parseYamlStream('---\n# Source: chart/templates/a.yaml\napiVersion: v1\nkind: Pod\nspec:\n  x: 1\n', 'stream');
    const { objects } = documentsToObjects(outcome.documents, 'stream', () => ({ file: 'chart/templates/a.yaml', lineShift: 2 }));
    assert.deepEqual(objects[0]!.source, { file: 'chart/templates/a.yaml', document: 0, line: 1, column: 1 });
    assert.deepEqual(objects[0]!.positions.locate(['spec', 'x']), { line: 4, column: 3 });
  });
});
