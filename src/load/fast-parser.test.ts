import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseFast } from './fast-parser.ts';
import { splitDocuments } from './split.ts';
import { compareParsers } from './testing/compare.ts';
import { PositionTable } from './tree.ts';
import { kubeObject, lineSoup, mutated, renderYaml, style, yamlStream } from './testing/yaml-arbitrary.ts';

function fastValue(text: string): unknown {
  const chunks = splitDocuments(text);
  assert.equal(chunks.length, 1);
  const chunk = chunks[0]!;
  const fast = parseFast(text, chunk.start, chunk.marker, chunk.end, new PositionTable());
  return fast === null ? 'BAILED' : fast.value;
}

describe('fast parser', () => {
  const accepted: [string, string, unknown][] = [
    ['block mapping', 'a: 1\nb: two\n', { a: 1, b: 'two' }],
    ['nested and compact sequences', 'a:\n- x\n- p: 1\n  q: 2\nb:\n  - - k\n    - m\n', { a: ['x', { p: 1, q: 2 }], b: [['k', 'm']] }],
    ['YAML 1.1 values', 'a: y\nb: off\nc: 0755\nd: 1_000\ne: 2001-12-14\n', { a: true, b: false, c: 493, d: 1000, e: '2001-12-14' }],
    ['quoted keys and values', `"a b": 'it''s'\n'c': "tab\\tend \\u00e9"\n`, { 'a b': "it's", c: 'tab\tend é' }],
    ['YAML 1.1 keys', 'on: 1\n0755: x\n1.0: why\n', { true: 1, '493': 'x', '1': 'why' }],
    ['multi-line plain', 'a: one\n  two\n\n  three # c\nb: 1\n', { a: 'one two\nthree', b: 1 }],
    ['literal block, chomping', 'a: |\n  x\n   y\n\nb: |-\n  z\nc: |+\n  k\n\nd: 1\n', { a: 'x\n y\n', b: 'z', c: 'k\n\n', d: 1 }],
    ['folded block', 'a: >\n  one\n  two\n\n  three\n    more\n  end\n', { a: 'one two\nthree\n  more\nend\n' }],
    ['folded double-quoted', 'a: "one\n  two\\\n  three"\n', { a: 'one twothree' }],
    ['flow collections', 'a: [1, "b", {c: d, "e":f}]\nb: {}\nc: []\n', { a: [1, 'b', { c: 'd', e: 'f' }], b: {}, c: [] }],
    ['comments everywhere', '# head\na: 1 # one\n  # indented note\nb:   # empty\n# tail\n', { a: 1, b: null }],
    ['empty values', 'a:\nb: ~\nc:\n- \n-\n', { a: null, b: null, c: [null, null] }],
    ['document marker', '--- # first\na: 1\n', { a: 1 }],
    ['root scalar', 'just text\n', 'just text'],
    ['empty document', '---\n# nothing\n', null],
  ];
  for (const [name, text, value] of accepted) {
    it(`reads ${name}`, () => {
      assert.deepStrictEqual(fastValue(text), value);
      compareParsers(text);
    });
  }

  const refused: [string, string][] = [
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['tags', 'a: !!str 1\n'],
    ['merge keys', 'a:\n  <<: {b: 1}\n'],
    ['complex keys', '? a\n: b\n'],
    ['multi-line flow', 'a: [1,\n  2]\n'],
    ['tab indentation', 'a:\n\tb: 1\n'],
    ['indentation indicators', 'a: |2\n   x\n'],
    ['syntax errors', 'a: b: c\n'],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n'],
    ['unterminated quotes', 'a: "x\n'],
    ['directives in the body', 'a: 1\n%YAML 1.1\n'],
  ];
  for (const [name, text] of refused) {
    it(`leaves ${name} to the full parser`, () => assert.equal(fastValue(text), 'BAILED'));
  }

  it('records duplicate keys with the position of the repeated key (last value wins)', () => {
    const text = 'a: 1\nb: 2\na: 3\n';
    const chunk = splitDocuments(text)[0]!;
    const fast = parseFast(text, chunk.start, chunk.marker, chunk.end, new PositionTable());
    assert.ok(fast);
    assert.deepStrictEqual(fast.value, { a: 3, b: 2 });
    assert.equal(fast.issues.length, 1);
    assert.equal(fast.issues[0]!.offset, 10);
    assert.match(fast.issues[0]!.message, /duplicate key "a"/);
  });

  // YAML allows neither these characters nor unpaired surrogates anywhere, comments included; the
  // full parser reports them. NEL, paired surrogates and other non-ASCII text are fine.
  const unprintables: [string, string][] = [
    ['a plain value', 'a: x\x01y\n'],
    ['a key', 'a\x7fb: 1\n'],
    ['a quoted value', 'a: "x\x9fy"\n'],
    ['a single-quoted value', "a: 'x\x0by'\n"],
    ['a flow scalar', 'a: [x\x1fy]\n'],
    ['a comment', 'a: 1 # note\x00\n'],
    ['a comment line', '# \ufffe\na: 1\n'],
    ['a comment before the marker', '# \x08\n---\na: 1\n'],
    ['a block scalar', 'a: |\n  line\x0c\n'],
    ['a lone high surrogate', 'a: x\ud800\n'],
    ['a lone low surrogate', 'a: "\udc00"\n'],
  ];
  for (const [where, text] of unprintables) {
    it(`leaves a character YAML does not allow in ${where} to the full parser`, () => assert.equal(fastValue(text), 'BAILED'));
  }
  it('reads NEL, paired surrogates and other printable text itself', () => {
    assert.deepStrictEqual(fastValue('a: x\x85y \u{1F600} é\nb: |\n  \u{1F600}\n# \u{1F600}\n'), { a: 'x\x85y \u{1F600} é', b: '\u{1F600}\n' });
  });

  it('never lets a key reach the prototype', () => {
    const value = fastValue('__proto__:\n  polluted: true\n') as Record<string, unknown>;
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepStrictEqual(Object.keys(value), ['__proto__']);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
  });
});

describe('fast parser agrees with the full parser (differential properties)', () => {
  it('on generated YAML of every style', () => {
    let documents = 0;
    let fast = 0;
    fc.assert(
      fc.property(yamlStream, (text) => {
        const result = compareParsers(text);
        documents += result.documents;
        fast += result.fast;
      }),
      { numRuns: 400 },
    );
    // The generator writes plenty of YAML the fast path must refuse, but most of it is accepted.
    assert.ok(fast / documents > 0.4, `fast path took only ${fast} of ${documents} documents`);
  });

  it('on Kubernetes-shaped objects, which it nearly always takes', () => {
    let documents = 0;
    let fast = 0;
    fc.assert(
      fc.property(kubeObject, style, (value, s) => {
        const result = compareParsers(renderYaml(value, s));
        documents += result.documents;
        fast += result.fast;
      }),
      { numRuns: 300 },
    );
    assert.ok(fast / documents > 0.5, `fast path took only ${fast} of ${documents} documents`);
  });

  it('on random combinations of YAML lines', () => {
    fc.assert(
      fc.property(lineSoup, (text) => {
        compareParsers(text);
      }),
      { numRuns: 1500 },
    );
  });

  it('on YAML with characters YAML does not allow, anywhere (it must leave those to the full parser)', () => {
    const bad = fc.constantFrom('\x00', '\x01', '\x08', '\x0b', '\x0c', '\x0e', '\x1f', '\x7f', '\x80', '\x85', '\x9f', '\ud800', '\udc00', '\ud83d\ude00', '\ufffe', '\uffff', 'é');
    const withBad = fc
      .tuple(fc.oneof(yamlStream, lineSoup, fc.tuple(kubeObject, style).map(([value, s]) => renderYaml(value, s))), fc.array(fc.tuple(fc.nat(), bad), { minLength: 1, maxLength: 3 }))
      .map(([text, inserts]) => inserts.reduce((out, [at, c]) => out.slice(0, at % (out.length + 1)) + c + out.slice(at % (out.length + 1)), text));
    fc.assert(
      fc.property(withBad, (text) => {
        compareParsers(text);
      }),
      { numRuns: 800 },
    );
  });

  it('on mutated YAML', () => {
    fc.assert(
      fc.property(mutated(yamlStream), (text) => {
        compareParsers(text);
      }),
      { numRuns: 600 },
    );
  });
});
