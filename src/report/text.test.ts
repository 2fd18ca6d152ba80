// The small text helpers the formats stand on: terminal safety and width, XML escaping, URIs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RFC3986_RELATIVE_REF, RFC3986_URI } from './fixtures/sarif-schema.ts';
import { parseXml } from './fixtures/xml-tree.ts';
import { displayWidth, terminalSafe, truncate, wrap } from './terminal.ts';
import { artifactAddress, directoryUri, fileUri } from './uri.ts';
import { escapeAttribute, escapeText } from './xml.ts';

describe('terminalSafe', () => {
  it('leaves ordinary text alone, including non-ASCII', () => {
    assert.equal(terminalSafe('container "web" — 日本語 😀'), 'container "web" — 日本語 😀');
  });

  it('escapes C0, DEL, C1 and bidirectional controls, and repairs lone surrogates', () => {
    assert.equal(terminalSafe('a\u001b[31mb\u007fc\u009bd\u202ee\u2066f\ng\th\r'), 'a\\x1b[31mb\\x7fc\\x9bd\\u202ee\\u2066f\\ng\\th\\r');
    assert.equal(terminalSafe('x\uD800y'), 'x\uFFFDy');
  });
});

describe('displayWidth', () => {
  it('counts wide characters twice and combining marks not at all', () => {
    assert.equal(displayWidth('abc'), 3);
    assert.equal(displayWidth('日本'), 4);
    assert.equal(displayWidth('e\u0301'), 1);
    assert.equal(displayWidth('😀'), 2);
  });
});

describe('wrap', () => {
  it('breaks at spaces, and inside a word only when the word alone is too wide', () => {
    assert.deepEqual(wrap('one two three four', 9, 10), ['one two', 'three', 'four']);
    assert.deepEqual(wrap('abcdefghij', 4, 10), ['abcd', 'efgh', 'ij']);
    assert.deepEqual(wrap('', 10, 3), ['']);
  });

  it('cuts after maxLines with an ellipsis that fits', () => {
    const lines = wrap('aaaa bbbb cccc dddd', 4, 2);
    assert.deepEqual(lines, ['aaaa', 'bbb…']);
  });

  it('keeps every line within the width and loses no text when not cut', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 2, max: 40 }), (text, width) => {
        const lines = wrap(text, width, Number.MAX_SAFE_INTEGER);
        for (const line of lines) assert.ok(displayWidth(line) <= width);
        assert.equal(lines.join('').replaceAll(' ', ''), text.replaceAll(' ', ''));
      }),
    );
  });

  it('truncates to the width including the ellipsis', () => {
    assert.equal(truncate('abcdef', 4), 'abc…');
    assert.equal(displayWidth(truncate('日本語日本語', 5)), 5);
  });
});

describe('XML escaping', () => {
  it('escapes markup in text and attributes', () => {
    assert.equal(escapeText('a<b>&c"d\'e'), 'a&lt;b&gt;&amp;c"d\'e');
    assert.equal(escapeAttribute('a<b>&c"d\'e\tf\ng\rh'), 'a&lt;b&gt;&amp;c&quot;d&apos;e&#9;f&#10;g&#13;h');
  });

  it('escapes every special character even when it is the only one', () => {
    const attribute: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };
    for (const [character, reference] of Object.entries(attribute)) {
      assert.equal(escapeAttribute(`x${character}y`), `x${reference}y`, JSON.stringify(character));
    }
    const text: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;', '\u0001': '\uFFFD', '\uDC00': '\uFFFD' };
    for (const [character, replacement] of Object.entries(text)) {
      assert.equal(escapeText(`x${character}y`), `x${replacement}y`, JSON.stringify(character));
    }
    assert.equal(escapeText('x"\'\t\ny'), 'x"\'\t\ny', 'quotes, tabs and newlines stay as they are in text');
  });

  it('replaces characters XML 1.0 forbids and keeps surrogate pairs', () => {
    assert.equal(escapeText('\u0000\u0001\u000B\u000C\u001F\uFFFE\uFFFF'), '\uFFFD'.repeat(7));
    assert.equal(escapeText('\uD83D\uDE00 \uD83D x \uDE00'), '😀 \uFFFD x \uFFFD');
  });

  it('always yields well-formed XML that reads back as the input, less forbidden characters', () => {
    const forbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (attribute, text) => {
        const root = parseXml(`<r a="${escapeAttribute(attribute)}">${escapeText(text)}</r>`);
        assert.equal(root.attributes.a, attribute.replace(forbidden, '\uFFFD'));
        assert.equal(root.text, text.replace(forbidden, '\uFFFD'));
      }),
      { numRuns: 500 },
    );
  });
});

describe('artifactAddress', () => {
  const base = { baseDir: '/repo' };

  it('makes files under the base relative and encodes every segment', () => {
    assert.deepEqual(artifactAddress('examples/web app.yaml', base), { kind: 'relative', uri: 'examples/web%20app.yaml' });
    assert.deepEqual(artifactAddress('/repo/a/b.yaml', base), { kind: 'relative', uri: 'a/b.yaml' });
    assert.deepEqual(artifactAddress('../elsewhere/c.yaml', { baseDir: '/repo', cwd: '/repo/sub' }), {
      kind: 'relative',
      uri: 'elsewhere/c.yaml',
    });
  });

  it('gives files outside the base an absolute file URI', () => {
    assert.deepEqual(artifactAddress('../outside.yaml', base), { kind: 'absolute', uri: 'file:///outside.yaml' });
    assert.deepEqual(artifactAddress('/tmp/x#1.yaml', base), { kind: 'absolute', uri: 'file:///tmp/x%231.yaml' });
  });

  it('describes stdin and nameless sources instead of inventing a URI', () => {
    assert.deepEqual(artifactAddress('-', base), { kind: 'described', description: 'standard input' });
    assert.deepEqual(artifactAddress('', base), { kind: 'described', description: 'unnamed source' });
  });

  it('passes URIs of other sources through, encoding what RFC 3986 does not allow', () => {
    assert.deepEqual(artifactAddress('cluster://prod/ns/a b', base), { kind: 'absolute', uri: 'cluster://prod/ns/a%20b' });
    assert.deepEqual(artifactAddress('oci://reg/x%zz', base), { kind: 'absolute', uri: 'oci://reg/x%25zz' });
  });

  it('writes base directories with a trailing slash', () => {
    assert.equal(directoryUri('/home/me/my repo'), 'file:///home/me/my%20repo/');
    assert.equal(directoryUri('/'), 'file:///');
    assert.equal(fileUri('/a/ü.yaml'), 'file:///a/%C3%BC.yaml');
  });

  it('always produces RFC 3986 references', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.boolean(), (file, withBase) => {
        const address = artifactAddress(file, withBase ? base : {});
        if (address.kind === 'relative') assert.match(address.uri, RFC3986_RELATIVE_REF);
        if (address.kind === 'absolute') assert.match(address.uri, RFC3986_URI);
      }),
      { numRuns: 500 },
    );
  });
});
