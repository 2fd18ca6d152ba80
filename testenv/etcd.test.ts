import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../src/core/errors.ts';
import { parseRangeResponse, prefixRangeEnd } from './etcd.ts';

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64');

describe('parseRangeResponse', () => {
  it('decodes keys and raw values', () => {
    const value = Buffer.concat([Buffer.from('k8s:enc:aescbc:v1:key1:'), Buffer.from([0, 255, 7])]);
    const text = JSON.stringify({ header: { revision: '5' }, kvs: [{ key: b64('/registry/secrets/ns/s'), value: b64(value), mod_revision: '5' }], count: '1' });
    assert.deepEqual(parseRangeResponse(text), [{ key: '/registry/secrets/ns/s', value }]);
  });

  it('reads a missing "kvs" as no match and a keys-only entry as an empty value', () => {
    assert.deepEqual(parseRangeResponse('{"header":{}}'), []);
    assert.deepEqual(parseRangeResponse(JSON.stringify({ kvs: [{ key: b64('/a') }] })), [{ key: '/a', value: Buffer.alloc(0) }]);
  });

  it('rejects malformed answers with a typed error naming the field', () => {
    const rejects = (text: string, pattern: RegExp): void =>
      assert.throws(() => parseRangeResponse(text), (error: BulwarkError) => error.code === 'E_PARSE' && pattern.test(error.message));
    rejects('<html>', /not JSON/);
    rejects('[]', /not a JSON object/);
    rejects('{"kvs":{}}', /"kvs" is not a list/);
    rejects('{"kvs":[1]}', /kvs\[0\] is not an object/);
    rejects('{"kvs":[{"key":"%%%"}]}', /kvs\[0\]\.key is not base64/);
    rejects('{"kvs":[{"key":"YQ==","value":5}]}', /kvs\[0\]\.value is not base64/);
  });

  it('never crashes on arbitrary input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json().map((json) => `{"kvs":[${json}]}`), fc.json()), (text) => {
        try {
          for (const entry of parseRangeResponse(text)) assert.ok(Buffer.isBuffer(entry.value));
        } catch (error) {
          assert.ok(error instanceof BulwarkError && error.code === 'E_PARSE', String(error));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('prefixRangeEnd', () => {
  it('is the first key after every key with the prefix', () => {
    assert.equal(prefixRangeEnd('/registry/secrets/').toString(), '/registry/secrets0');
    assert.deepEqual(prefixRangeEnd(Buffer.from([0x61, 0xff])), Buffer.from('b'));
  });
  it('covers every key with the prefix, and none after', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 5 }), (prefix, rest) => {
        const end = prefixRangeEnd(prefix);
        const start = Buffer.from(prefix);
        const key = Buffer.from(prefix + rest);
        assert.ok(Buffer.compare(start, key) <= 0 && Buffer.compare(key, end) < 0);
      }),
    );
  });
});
