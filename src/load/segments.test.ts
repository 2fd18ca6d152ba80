import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { BulwarkError, FieldPath } from '../core/index.ts';
import { parseFast } from './fast-parser.ts';
import { segmentYaml } from './segments.ts';
import { PositionTable } from './tree.ts';
import { lineSoup, mutated, yamlStream } from './testing/yaml-arbitrary.ts';
import { parseYamlSegments, parseYamlStream, streamYamlSegments, streamYamlText, type ParsedDocument, type ParseOutcome } from './yaml.ts';

const doc = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  k: v\n`;

/** Every field path in a value, the root included, plus one path that does not exist. */
function paths(value: unknown, prefix: FieldPath = [], out: FieldPath[] = []): FieldPath[] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  if (prefix.length === 0) out.push(['no', 'such', 0]);
  return out;
}

function summary(outcome: ParseOutcome): unknown {
  return {
    errors: outcome.errors.map((error) => [error.message, error.location]),
    documents: outcome.documents.map((d) => ({
      index: d.index,
      value: d.value,
      line: d.line,
      column: d.column,
      offset: d.offset,
      parser: d.parser,
      positions: paths(d.value).map((path) => [path, d.positions.locate(path)]),
    })),
  };
}

/** Reading `text` in segments of at most `limit` bytes gives what reading it whole gives. */
function agrees(text: string, limit: number): boolean {
  const encoding = /^[\x00-\x7f]*$/.test(text) ? 'latin1' : 'utf8';
  const segments = segmentYaml(Buffer.from(text, encoding), encoding, limit);
  if (segments === null) return false;
  assert.equal(segments.map((s) => s.text).join(''), text);
  segments.forEach((segment, i) => assert.equal(segment.offset, segments.slice(0, i).reduce((n, s) => n + s.text.length, 0)));
  const whole = summary(parseYamlStream(text, 'f.yaml'));
  assert.deepStrictEqual(summary(parseYamlSegments(segments, 'f.yaml')), whole);
  assert.deepStrictEqual(summary(interleaved((errors) => streamYamlSegments(segments, 'f.yaml', errors))), whole);
  return true;
}

/** A text with quoted, plain and block scalars, parsed by the fast parser (which reuses one code unit buffer). */
const EMBEDDED = 'kind: KubeletConfiguration\nname: "quoted \\t value"\nplain: a plain scalar\nblock: |\n  text\n';

/**
 * The documents a stream reader yields, with another text parsed between every two of them, as a
 * check parsing YAML embedded in a ConfigMap does while a file is read document by document.
 */
function interleaved(read: (errors: BulwarkError[]) => Iterable<ParsedDocument>): ParseOutcome {
  const errors: BulwarkError[] = [];
  const documents: ParsedDocument[] = [];
  for (const document of read(errors)) {
    documents.push(document);
    assert.equal(parseYamlStream(EMBEDDED, 'embedded.yaml').errors.length, 0);
    // And a parse that leaves its text's code units in the shared buffer (parseFast's default).
    assert.notEqual(parseFast(EMBEDDED, 0, -1, EMBEDDED.length, new PositionTable()), null);
  }
  return { documents, errors };
}

describe('segments of large ASCII files', () => {
  it('cuts only at `---` lines that follow another, keeping each under the limit when documents allow', () => {
    const text = `# head\n---\n${doc('a')}---\n${doc('b')}--- # c\n${doc('c')}---\n${doc('d')}`;
    const segments = segmentYaml(Buffer.from(text), 'latin1', 100)!;
    assert.ok(segments.length > 1);
    assert.equal(segments[0]!.offset, 0);
    for (const segment of segments.slice(1)) {
      assert.match(segment.text, /^---[ \n]/);
      assert.equal(text.slice(segment.offset, segment.offset + segment.text.length), segment.text);
    }
    assert.ok(segments.every((s) => s.text.length <= 100 || !s.text.slice(1).includes('\n---')));
    assert.ok(agrees(text, 100));
  });

  it('keeps a document longer than the limit whole', () => {
    const long = `---\na: ${'x'.repeat(300)}\n`;
    const segments = segmentYaml(Buffer.from(`---\n${doc('a')}${long}---\n${doc('b')}`), 'latin1', 120)!;
    assert.ok(segments.some((s) => s.text === long));
  });

  it('leaves to whole decoding what might split differently', () => {
    const big = (text: string): Buffer => Buffer.from(text.repeat(20));
    assert.equal(segmentYaml(Buffer.from(`---\n${doc('a')}`), 'latin1', 1000), null, 'short');
    assert.equal(segmentYaml(big(`---\r\n${doc('a')}`), 'latin1', 100), null, 'carriage returns');
    assert.equal(segmentYaml(big(`{"a": 1}\n---\n`), 'latin1', 10), null, 'JSON first');
    assert.equal(segmentYaml(big(doc('a')), 'latin1', 100), null, 'no marker');
    assert.equal(segmentYaml(Buffer.from(`\ufeff---\n${doc('é')}`.repeat(20)), 'utf8', 100), null, 'byte order mark');
    // A stream whose first document has no marker is cut only after its first marker.
    const segments = segmentYaml(Buffer.from(`${doc('a')}---\n${doc('b')}---\n${doc('c')}`), 'latin1', 10)!;
    assert.ok(segments[0]!.text.startsWith('apiVersion') && segments[0]!.text.includes('---'));
  });

  it('cuts UTF-8 between characters, counting offsets in characters', () => {
    const text = Array.from({ length: 12 }, (_, i) => `---\n${doc(`é-${i}-\u{1F600}`)}`).join('');
    const segments = segmentYaml(Buffer.from(text, 'utf8'), 'utf8', 150)!;
    assert.ok(segments.length > 2);
    assert.ok(agrees(text, 150));
  });

  it('reads a stream with end markers as a whole', () => {
    // `...` ends a document without starting one, so a cut after it could change what follows.
    const text = `---\n${doc('a')}...\n# between\n---\n${doc('b')}---\n${doc('c')}...\n---\n${doc('d')}`;
    assert.ok(agrees(text, 60));
  });

  it('reads like the whole text, documents, positions and errors alike (differential properties)', () => {
    let compared = 0;
    const check = (text: string, limit: number): void => {
      // Only text a file could hold: UTF-8 without lone surrogates.
      if (!text.isWellFormed()) return;
      if (agrees(text, limit)) compared++;
    };
    const streams = fc.array(fc.oneof(yamlStream, mutated(yamlStream), lineSoup), { minLength: 2, maxLength: 6 }).map((texts) => texts.join('\n---\n'));
    fc.assert(fc.property(streams, fc.integer({ min: 8, max: 200 }), check), { numRuns: 400 });
    assert.ok(compared > 100, `only ${compared} streams were segmented`);
  });

  it('reads a whole text document by document as it reads it at once, other texts parsed in between', () => {
    const streams = fc.array(fc.oneof(yamlStream, mutated(yamlStream), lineSoup), { minLength: 1, maxLength: 6 }).map((texts) => texts.join('\n---\n'));
    fc.assert(
      fc.property(streams, (text) => {
        assert.deepStrictEqual(summary(interleaved((errors) => streamYamlText(text, 'f.yaml', errors))), summary(parseYamlStream(text, 'f.yaml')));
      }),
      { numRuns: 300 },
    );
  });
});
