import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mutated, yamlStream } from './testing/yaml-arbitrary.ts';
import { collectStartupGarbage } from '../server/heap.ts';
import { parseYamlStream, type ParsedDocument } from './yaml.ts';

const values = (text: string): unknown[] => parseYamlStream(text, 'f.yaml').documents.map((d) => d.value);
const errors = (text: string, file = 'f.yaml'): string[] => parseYamlStream(text, file).errors.map(String);

describe('parseYamlStream', () => {
  it('reads every document of a stream, numbering them', () => {
    const outcome = parseYamlStream('a: 1\n---\nb: 2\n...\n---\nc: 3\n', 'f.yaml');
    assert.deepStrictEqual(
      outcome.documents.map((d) => [d.index, d.value, d.line, d.column]),
      [
        [0, { a: 1 }, 1, 1],
        [1, { b: 2 }, 3, 1],
        [2, { c: 3 }, 6, 1],
      ],
    );
    assert.deepEqual(outcome.errors, []);
  });

  it('reports a broken document with file:line:column and keeps the others', () => {
    const outcome = parseYamlStream('a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n', 'deploy.yaml');
    assert.deepStrictEqual(
      outcome.documents.map((d) => [d.index, d.value]),
      [
        [0, { a: 1 }],
        [2, { d: 4 }],
      ],
    );
    assert.equal(outcome.errors.length, 1);
    const [error] = outcome.errors;
    assert.equal(error!.code, 'E_PARSE');
    assert.deepEqual(error!.location, { file: 'deploy.yaml', line: 4, column: 1 });
    assert.match(String(error), /^deploy\.yaml:4:1: invalid YAML: /);
  });

  it('reports a duplicate key where it is repeated, keeping the last value', () => {
    const outcome = parseYamlStream('metadata:\n  name: a\n  name: b\n', 'f.yaml');
    assert.deepStrictEqual(outcome.documents[0]!.value, { metadata: { name: 'b' } });
    assert.equal(outcome.errors.length, 1);
    assert.deepEqual(outcome.errors[0]!.location, { file: 'f.yaml', line: 3, column: 3 });
    assert.match(outcome.errors[0]!.message, /duplicate key "name"/);
  });

  it('decodes with YAML 1.1 semantics, as the API server does', () => {
    assert.deepStrictEqual(values('a: yes\nb: off\nc: 0755\nd: 2021-01-01\ne: "yes"\non: 1\n'), [
      { a: true, b: false, c: 493, d: '2021-01-01', e: 'yes', true: 1 },
    ]);
  });

  it('applies merge keys in goyaml.v2 order: a merge overrides earlier keys, later keys override it', () => {
    const text = 'base: &b {a: 1, b: 2}\nx:\n  a: 0\n  <<: *b\n  b: 3\n';
    assert.deepStrictEqual(values(text)[0], { base: { a: 1, b: 2 }, x: { a: 1, b: 3 } });
    assert.deepEqual(errors(text), []);
  });

  it('refuses what JSON cannot carry, naming the place', () => {
    assert.deepEqual(errors('a: .nan\n~: 1\n'), [
      'f.yaml:1:4: .nan cannot be represented in JSON: the API server rejects this document',
      'f.yaml:2:1: mapping key "~" decodes to null, which cannot be a JSON object key: the API server rejects this document',
    ]);
  });

  it('bounds alias expansion (billion laughs)', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++) text += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
    const started = performance.now();
    const outcome = parseYamlStream(`${text}---\nok: 1\n`, 'bomb.yaml');
    assert.ok(performance.now() - started < 2000);
    assert.deepStrictEqual(
      outcome.documents.map((d) => d.value),
      [{ ok: 1 }],
    );
    assert.match(String(outcome.errors[0]), /bomb\.yaml:\d+:\d+: document contains excessive aliasing/);
  });

  it('allows modest aliasing', () => {
    assert.deepStrictEqual(values('a: &x {k: v}\nb: *x\nc: [*x, *x]\n'), [{ a: { k: 'v' }, b: { k: 'v' }, c: [{ k: 'v' }, { k: 'v' }] }]);
  });

  it('bounds nesting depth', () => {
    const outcome = parseYamlStream(`${'['.repeat(1000)}${']'.repeat(1000)}\n---\nok: 1\n`, 'deep.yaml');
    assert.deepStrictEqual(
      outcome.documents.map((d) => d.value),
      [{ ok: 1 }],
    );
    assert.match(String(outcome.errors[0]), /deep\.yaml:1:\d+: invalid YAML: nesting exceeded/);
  });

  it('keeps line and column across CRLF line breaks and a byte order mark', () => {
    const outcome = parseYamlStream('\uFEFFa: 1\r\nb:\r\n  c: 2\r\n', 'win.yaml');
    assert.deepStrictEqual(outcome.documents[0]!.value, { a: 1, b: { c: 2 } });
    assert.deepEqual(outcome.documents[0]!.positions.locate(['b', 'c']), { line: 3, column: 3 });
  });

  it('reads JSON, including a stream of JSON objects, with positions', () => {
    const outcome = parseYamlStream('{"kind": "A",\n "spec": {"x": [1, {"y": 2}]}}\n{"kind": "B"}\n', 'f.json');
    assert.deepStrictEqual(
      outcome.documents.map((d) => [d.value, d.parser, d.line]),
      [
        [{ kind: 'A', spec: { x: [1, { y: 2 }] } }, 'json', 1],
        [{ kind: 'B' }, 'json', 3],
      ],
    );
    assert.deepEqual(outcome.documents[0]!.positions.locate(['spec', 'x', 1, 'y']), { line: 2, column: 21 });
  });

  it('reports broken JSON with the JSON parser message', () => {
    assert.deepEqual(errors('{"kind": "A",\n "spec": }\n', 'f.json'), ['f.json:2:10: invalid JSON: invalid character "}" in JSON']);
  });

  it('reads flow-style YAML that only looks like JSON, except in a .json file', () => {
    assert.deepStrictEqual(values('{kind: A, spec: {replicas: 0x10}}\n'), [{ kind: 'A', spec: { replicas: 16 } }]);
    assert.deepEqual(errors('{kind: A}\n', 'f.json'), ['f.json:1:2: invalid JSON: invalid character "k" in JSON']);
  });

  it('locates the deepest existing segment of a path', () => {
    const document = parseYamlStream('spec:\n  containers:\n  - name: a\n    image: x\n', 'f.yaml').documents[0]!;
    assert.deepEqual(document.positions.locate(['spec', 'containers', 0, 'image']), { line: 4, column: 5 });
    assert.deepEqual(document.positions.locate(['spec', 'containers', 0, 'securityContext', 'privileged']), { line: 3, column: 5 });
    assert.deepEqual(document.positions.locate(['spec', 'containers', 5]), { line: 2, column: 3 });
    assert.deepEqual(document.positions.locate([]), { line: 1, column: 1 });
  });

  it('uses the full parser for what the fast parser leaves, with the same positions', () => {
    const text = 'a: &anchor\n  b: !!str 1\n  c:\n    - x\n';
    const outcome = parseYamlStream(text, 'f.yaml');
    assert.equal(outcome.documents[0]!.parser, 'full');
    assert.deepStrictEqual(outcome.documents[0]!.value, { a: { b: '1', c: ['x'] } });
    assert.deepEqual(outcome.documents[0]!.positions.locate(['a', 'c', 0]), { line: 4, column: 7 });
  });

  it('never throws nor hangs on random or mutated input, and every error has a line and column', () => {
    const check = (text: string): void => {
      const started = performance.now();
      const outcome = parseYamlStream(text, 'fuzz.yaml');
      assert.ok(performance.now() - started < 1000, 'parsing took over a second');
      for (const error of outcome.errors) {
        assert.equal(error.code, 'E_PARSE');
        assert.equal(typeof error.location?.line, 'number');
        assert.equal(typeof error.location?.column, 'number');
      }
      for (const document of outcome.documents) {
        const at = document.positions.locate(['a', 0, 'b']);
        assert.ok(at.line >= 1 && at.column >= 1);
      }
    };
    fc.assert(fc.property(fc.string({ maxLength: 300 }), check), { numRuns: 300 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), check), { numRuns: 200 });
    fc.assert(fc.property(mutated(yamlStream), check), { numRuns: 400 });
  });
});

describe('parsed values and the text they were read from', () => {
  // A document kept after its file (for the cross-object checks, or a value a finding or a cache
  // holds) must not keep the whole text alive: V8 makes a long slice a view into its parent string.
  const yamlDocument = (i: number, anchor: boolean): string =>
    [
      'kind: Pod',
      'metadata:',
      `  name: pod-${i}-with-a-long-enough-name`,
      '  annotations:',
      `    quoted: "a quoted value with an escape \\t and more text ${i}"`,
      `    single: 'it''s a single-quoted value ${i}'`,
      '    folded: this plain scalar goes on',
      `      over two lines ${i}`,
      '    block: |',
      `      a block scalar line ${i}`,
      'spec:',
      `  image: ${anchor ? '&image ' : ''}registry.example.com/team/app-${i}:1.0.0`,
      '',
    ].join('\n');
  const jsonDocument = (i: number): string =>
    JSON.stringify({ kind: 'Pod', metadata: { name: `pod-${i}-with-a-long-enough-name`, annotations: { note: `an escaped\tvalue ${i}` } }, spec: { image: `registry.example.com/team/app-${i}:1.0.0` } });
  const cases = [
    { parser: 'fast', file: 'a.yaml', separator: '---\n', document: (i: number) => yamlDocument(i, false) },
    { parser: 'full', file: 'b.yaml', separator: '---\n', document: (i: number) => yamlDocument(i, true) },
    { parser: 'json', file: 'c.json', separator: '\n', document: jsonDocument },
  ];

  for (const { parser, file, separator, document } of cases) {
    it(`keeps no more than the document itself alive (${parser} parser)`, () => {
      // The project's one way of running a full collection without --expose-gc (src/server/heap.ts).
      const gc = collectStartupGarbage;
      // Built and parsed in a function of its own, so that nothing here holds the text afterwards.
      const parseFirst = (): { kept: ParsedDocument; textLength: number } => {
        const text = Array.from({ length: 10_000 }, (_, i) => document(i)).join(separator);
        const outcome = parseYamlStream(text, file);
        assert.equal(outcome.documents.length, 10_000);
        assert.ok(outcome.documents.every((d) => d.parser === parser));
        return { kept: outcome.documents[0]!, textLength: text.length };
      };
      gc();
      const before = process.memoryUsage().heapUsed;
      const { kept, textLength } = parseFirst();
      gc();
      const retained = process.memoryUsage().heapUsed - before;
      assert.ok(retained < textLength / 4, `${retained} bytes stayed alive for one document of a ${textLength}-character text`);
      // The document still answers where its fields are.
      const at = kept.positions.locate(['spec', 'image']);
      assert.deepEqual(at, parser === 'json' ? { line: 1, column: at.column } : { line: 12, column: 3 });
      assert.ok(at.column > 1);
    });
  }
});
