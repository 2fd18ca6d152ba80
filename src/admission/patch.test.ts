import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyPatch, encodePatch, escapePointerToken, parsePointer, toPointer, unescapePointerToken } from './patch.ts';

describe('JSON pointers', () => {
  it('escapes ~ before /', () => {
    assert.equal(escapePointerToken('a/b~c'), 'a~1b~0c');
    assert.equal(escapePointerToken('~1'), '~01');
    assert.equal(toPointer(['metadata', 'annotations', 'bulwark.dev/image', 0]), '/metadata/annotations/bulwark.dev~1image/0');
  });

  it('round-trips any key', () => {
    fc.assert(fc.property(fc.string(), (key) => assert.equal(unescapePointerToken(escapePointerToken(key)), key)));
    fc.assert(fc.property(fc.array(fc.string(), { maxLength: 5 }), (keys) => assert.deepEqual(parsePointer(toPointer(keys)), keys)));
  });
});

describe('applyPatch', () => {
  it('adds, replaces and removes', () => {
    const document = { spec: { containers: [{ image: 'a:1' }] }, metadata: { annotations: { 'x/y': '1' } } };
    const patched = applyPatch(document, [
      { op: 'replace', path: '/spec/containers/0/image', value: 'a:1@sha256:00' },
      { op: 'add', path: '/spec/containers/0/securityContext', value: { runAsNonRoot: true } },
      { op: 'remove', path: '/metadata/annotations/x~1y' },
    ]);
    assert.deepEqual(patched, { spec: { containers: [{ image: 'a:1@sha256:00', securityContext: { runAsNonRoot: true } }] }, metadata: { annotations: {} } });
    assert.deepEqual(document.spec.containers[0], { image: 'a:1' }, 'the input is not changed');
  });

  it('encodes base64 JSON', () => {
    const encoded = encodePatch([{ op: 'add', path: '/a', value: 1 }]);
    assert.deepEqual(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')), [{ op: 'add', path: '/a', value: 1 }]);
  });
});
