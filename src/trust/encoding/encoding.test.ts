import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { isRecord, parseJson } from './json.ts';
import { encodePem, parsePem } from './pem.ts';

function expectTyped(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof BulwarkError, `expected a BulwarkError, got ${String(error)}`);
    assert.ok(['E_PARSE', 'E_INPUT', 'E_TOO_LARGE'].includes(error.code));
  }
}

describe('decodeBase64', () => {
  it('round-trips and rejects what Node would silently skip', () => {
    assert.deepEqual(decodeBase64('aGVsbG8=', 'x'), Buffer.from('hello'));
    assert.throws(() => decodeBase64('aGVs bG8=', 'sig'), /sig: is not valid base64/);
    assert.throws(() => decodeBase64('aGVsbG8', 'sig'), /missing padding/);
    assert.throws(() => decodeBase64('a', 'sig', { urlSafe: true }), /truncated/);
    assert.deepEqual(decodeBase64('aGVsbG8', 'x', { urlSafe: true }), Buffer.from('hello'));
    assert.deepEqual(decodeBase64('-_8', 'x', { urlSafe: true }), Buffer.from([0xfb, 0xff]));
    assert.throws(() => decodeBase64('-_8=', 'x'), /not valid base64/);
  });

  it('decodes every encoding exactly (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => assert.deepEqual(decodeBase64(encodeBase64(bytes), 'x'), Buffer.from(bytes))));
  });

  it('never throws anything but a typed error (fuzz)', () => {
    fc.assert(fc.property(fc.string({ maxLength: 100 }), fc.boolean(), (text, urlSafe) => expectTyped(() => decodeBase64(text, 'x', { urlSafe }))));
  });
});

describe('parsePem', () => {
  it('reads several blocks, ignoring text around them', () => {
    const text = `comment\n${encodePem('PUBLIC KEY', Buffer.from('abc'))}between\n${encodePem('CERTIFICATE', Buffer.from('xyz'))}`;
    const blocks = parsePem(text, 'file.pem');
    assert.deepEqual(blocks.map((block) => [block.type, block.bytes.toString()]), [['PUBLIC KEY', 'abc'], ['CERTIFICATE', 'xyz']]);
  });

  it('names the file and line of a broken block', () => {
    assert.throws(() => parsePem('-----BEGIN PUBLIC KEY-----\nYWJj\n', 'k.pub'), /k\.pub: PEM block "PUBLIC KEY" starting at line 1 has no END line/);
    assert.throws(() => parsePem('-----BEGIN PUBLIC KEY-----\nYWJj\n-----END CERTIFICATE-----\n', 'k.pub'), /mismatched end/);
    assert.throws(() => parsePem('-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n', 'k.pub'), /not valid base64/);
    assert.throws(() => parsePem('-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n', 'k.pub'), /is empty/);
  });

  it('keeps legacy encryption headers visible', () => {
    const [block] = parsePem('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nYWJj\n-----END RSA PRIVATE KEY-----\n', 'k');
    assert.equal(block?.headers['Proc-Type'], '4,ENCRYPTED');
  });

  it('refuses oversized input and never crashes (fuzz)', () => {
    assert.throws(() => parsePem('x'.repeat(2 * 1024 * 1024), 'big.pem'), (error: unknown) => error instanceof BulwarkError && error.code === 'E_TOO_LARGE');
    const pemish = fc.array(fc.oneof(fc.constantFrom('-----BEGIN PUBLIC KEY-----', '-----END PUBLIC KEY-----', '-----BEGIN X-----', 'Proc-Type: 4', 'YWJj', ''), fc.string({ maxLength: 20 })), { maxLength: 12 });
    fc.assert(fc.property(pemish, (lines) => expectTyped(() => parsePem(lines.join('\n'), 'fuzz.pem'))));
  });
});

describe('parseJson', () => {
  it('bounds size and depth', () => {
    assert.equal(isRecord(parseJson('{"a":1}', 'x')), true);
    assert.throws(() => parseJson('{', 'doc.json'), /doc\.json: is not valid JSON/);
    assert.throws(() => parseJson('[]'.padStart(10, ' '), 'doc.json', 5), /over the limit/);
    assert.throws(() => parseJson(`${'['.repeat(100)}${']'.repeat(100)}`, 'deep.json'), /nested deeper/);
  });

  it('never crashes on any text (fuzz)', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 8 })), (text) => expectTyped(() => parseJson(text, 'fuzz'))));
  });
});
