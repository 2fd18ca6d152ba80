import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as tarStream from 'tar-stream';
import { BulwarkError } from '../../core/index.ts';
import { assertNeverCrashes, mutatedBytes } from '../testing/fuzz.ts';
import { indexTar } from './tar-index.ts';
import { TarParser, type TarEntryHeader } from './tar-parser.ts';
import { tarOf } from '../../../test/support/oci.ts';

interface Parsed {
  header: TarEntryHeader;
  body: string;
}

/** Feeds `bytes` in chunks of `size` (the last one shorter) and collects every member with its body. */
function parse(bytes: Buffer, size = bytes.length, want: (h: TarEntryHeader) => boolean = () => true): Parsed[] {
  const out: Parsed[] = [];
  const parser = new TarParser((header) => {
    if (!want(header)) {
      out.push({ header, body: '(skipped)' });
      return null;
    }
    const parts: Buffer[] = [];
    const entry: Parsed = { header, body: '' };
    out.push(entry);
    return { write: (chunk) => parts.push(Buffer.from(chunk)), end: () => (entry.body = Buffer.concat(parts).toString('latin1')) };
  }, 'test');
  for (let at = 0; at < bytes.length; at += Math.max(1, size)) parser.write(bytes.subarray(at, at + Math.max(1, size)));
  parser.end();
  return out;
}

/** A header block written by hand, for what tar-stream does not write (GNU long names, v7, base-256). */
function block(fields: { name: string; type?: string; size?: number; linkname?: string; magic?: 'posix' | 'gnu' | 'v7'; prefix?: string; base256Size?: boolean }): Buffer {
  const b = Buffer.alloc(512);
  b.write(fields.name, 0, 100, 'utf8');
  b.write('0000644\0', 100, 'latin1');
  b.write('0000000\0', 108, 'latin1');
  b.write('0000000\0', 116, 'latin1');
  if (fields.base256Size === true) {
    b[124] = 0x80;
    b.writeUIntBE(fields.size ?? 0, 136 - 6, 6);
  } else b.write(`${(fields.size ?? 0).toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  b.write('00000000000\0', 136, 'latin1');
  b.write(fields.type ?? '0', 156, 'latin1');
  if (fields.linkname !== undefined) b.write(fields.linkname, 157, 100, 'utf8');
  if (fields.magic === 'posix' || fields.magic === undefined) b.write('ustar\x0000', 257, 'latin1');
  else if (fields.magic === 'gnu') b.write('ustar  \0', 257, 'latin1');
  if (fields.prefix !== undefined) b.write(fields.prefix, 345, 155, 'utf8');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

const data = (text: string): Buffer => {
  const padded = Buffer.alloc(Math.ceil(text.length / 512) * 512);
  padded.write(text, 'latin1');
  return padded;
};
const END = Buffer.alloc(1024);

describe('streaming tar parser', () => {
  it('reads members and bodies identically whatever the chunk boundaries', async () => {
    const long = `${'deep/'.repeat(40)}file.txt`;
    const tar = await tarOf([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/hostname', content: 'box\n' },
      { name: 'big', content: 'x'.repeat(1500) },
      { name: 'bin/sh', type: 'symlink', linkname: 'dash' },
      { name: 'bin/sh2', type: 'link', linkname: 'bin/sh' },
      { name: long, content: 'pax path' },
      { name: 'empty', content: '' },
    ]);
    const whole = parse(tar);
    assert.deepEqual(whole.map((e) => [e.header.name, e.header.type, e.header.size, e.body]), [
      ['etc/', '5', 0, ''],
      ['etc/hostname', '0', 4, 'box\n'],
      ['big', '0', 1500, 'x'.repeat(1500)],
      ['bin/sh', '2', 0, ''],
      ['bin/sh2', '1', 0, ''],
      [long, '0', 8, 'pax path'],
      ['empty', '0', 0, ''],
    ]);
    assert.equal(whole[3]!.header.linkname, 'dash');
    for (const size of [1, 7, 511, 512, 513, 1000, 4096]) assert.deepEqual(parse(tar, size), whole, `chunks of ${size}`);
  });

  it('agrees with tar-stream on names, types, sizes and bodies', async () => {
    const tar = await tarOf([{ name: 'a/b/c', content: 'hello' }, { name: `${'n'.repeat(120)}/x`, content: 'y'.repeat(700) }, { name: 'dev/null', type: 'character-device' }, { name: 'pipe', type: 'fifo' }]);
    const theirs: [string, string, number, string][] = [];
    const extract = tarStream.extract();
    const done = (async () => {
      for await (const entry of extract) {
        const parts: Buffer[] = [];
        for await (const chunk of entry as AsyncIterable<Buffer>) parts.push(chunk);
        theirs.push([entry.header.name, entry.header.type ?? '', entry.header.size ?? 0, Buffer.concat(parts).toString('latin1')]);
      }
    })();
    extract.end(tar);
    await done;
    const typeName: Record<string, string> = { '0': 'file', '3': 'character-device', '6': 'fifo' };
    assert.deepEqual(parse(tar, 300).map((e) => [e.header.name, typeName[e.header.type], e.header.size, e.body]), theirs);
  });

  it('skips bodies nobody wants without handing them out', async () => {
    const tar = await tarOf([{ name: 'skip', content: 'a'.repeat(2000) }, { name: 'keep', content: 'kept' }]);
    assert.deepEqual(parse(tar, 100, (h) => h.name === 'keep').map((e) => e.body), ['(skipped)', 'kept']);
  });

  it('reads GNU long names and links, the ustar prefix, v7 headers and base-256 sizes', () => {
    const longName = `${'g'.repeat(150)}/name`;
    const longLink = `${'t'.repeat(120)}/target`;
    const tar = Buffer.concat([
      block({ name: '././@LongLink', type: 'L', size: longName.length + 1, magic: 'gnu' }),
      data(`${longName}\0`),
      block({ name: 'ignored', type: '0', size: 3, magic: 'gnu' }),
      data('abc'),
      block({ name: '././@LongLink', type: 'K', size: longLink.length, magic: 'gnu' }),
      data(longLink),
      block({ name: 'link', type: '2', magic: 'gnu' }),
      block({ name: 'file', prefix: 'usr/share', size: 1 }),
      data('z'),
      block({ name: 'old', magic: 'v7', size: 2 }),
      data('v7'),
      block({ name: 'huge-field', size: 5, base256Size: true }),
      data('12345'),
      END,
    ]);
    assert.deepEqual(parse(tar, 333).map((e) => [e.header.name, e.header.linkname, e.body]), [
      [longName, '', 'abc'],
      ['link', longLink, ''],
      ['usr/share/file', '', 'z'],
      ['old', '', 'v7'],
      ['huge-field', '', '12345'],
    ]);
  });

  it('never reads data after link, device, directory and fifo headers, whatever their size says', () => {
    const tar = Buffer.concat([block({ name: 'dir/', type: '5', size: 4096 }), block({ name: 'after', size: 2 }), data('ok'), END]);
    assert.deepEqual(parse(tar).map((e) => [e.header.name, e.header.size, e.body]), [['dir/', 0, ''], ['after', 2, 'ok']]);
    // The indexer of docker save archives reads them the same way.
    const members = indexTar((position, length) => tar.subarray(position, position + length), tar.length, 'test');
    assert.deepEqual(members.map((m) => [m.name, m.size, tar.subarray(m.offset, m.offset + m.size).toString()]), [['dir/', 0, ''], ['after', 2, 'ok']]);
  });

  it('stops at the end-of-archive block and ignores what follows', () => {
    const tar = Buffer.concat([block({ name: 'a', size: 1 }), data('1'), END, Buffer.from('trailing garbage that is not a tar header')]);
    assert.deepEqual(parse(tar, 50).map((e) => e.header.name), ['a']);
  });

  it('fails with a typed error on bad checksums, bad numbers, truncation and oversized records', () => {
    const bad = block({ name: 'a', size: 1 });
    bad[0] = 0x62;
    assert.throws(() => parse(Buffer.concat([bad, data('1')])), (e: unknown) => e instanceof BulwarkError && e.code === 'E_PARSE' && /checksum/.test(e.message));
    const truncated = Buffer.concat([block({ name: 'a', size: 1000 }), Buffer.alloc(100)]);
    assert.throws(() => parse(truncated), (e: unknown) => e instanceof BulwarkError && e.code === 'E_PARSE' && /ends in the middle/.test(e.message));
    assert.throws(() => parse(Buffer.alloc(300, 1)), (e: unknown) => e instanceof BulwarkError && e.code === 'E_PARSE');
    const pax = Buffer.concat([block({ name: 'pax', type: 'x', size: 2 * 1024 * 1024 }), END]);
    assert.throws(() => parse(pax), (e: unknown) => e instanceof BulwarkError && e.code === 'E_TOO_LARGE');
    const notOctal = block({ name: 'a', size: 1 });
    notOctal.write('12x', 124, 'latin1');
    let sum = 0;
    notOctal.fill(0x20, 148, 156);
    for (const byte of notOctal) sum += byte;
    notOctal.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    assert.throws(() => parse(Buffer.concat([notOctal, data('1'), END])), (e: unknown) => e instanceof BulwarkError && /not octal/.test(e.message));
  });

  it('never crashes on hostile tars fed in random chunks (fuzz)', async () => {
    const sample = Buffer.concat([
      await tarOf([{ name: 'a/b', content: 'hello' }, { name: 'c', type: 'symlink', linkname: '../../x' }, { name: 'd'.repeat(150), content: 'long' }]),
      block({ name: '././@LongLink', type: 'L', size: 10, magic: 'gnu' }),
      data('long-name\0'),
    ]);
    assertNeverCrashes(fc.tuple(mutatedBytes(sample), fc.integer({ min: 1, max: 1100 })), ([bytes, size]) => parse(bytes, size), 1000);
  });
});
