import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import fc from 'fast-check';
import { BulwarkError } from '../../core/index.ts';
import { Collector } from '../collect.ts';
import { assertNeverCrashesAsync, mutatedBytes } from '../testing/fuzz.ts';
import { DEFAULT_WALK_LIMITS, normaliseMemberPath, walkLayer, type LayerEntry, type LayerProblem } from './walk.ts';
import { tarOf } from '../../../test/support/oci.ts';

async function walk(bytes: Buffer, limits = DEFAULT_WALK_LIMITS): Promise<{ entries: LayerEntry[]; problems: LayerProblem[]; diffId: string }> {
  const entries: LayerEntry[] = [];
  const problems: LayerProblem[] = [];
  const result = await walkLayer(Readable.from([bytes]), 'test layer', { onEntry: (e) => (entries.push(e), null), onProblem: (p) => problems.push(p) }, limits);
  return { entries, problems, diffId: result.diffId };
}

describe('layer walking', () => {
  it('reads plain, gzip and zstd tars alike (by their magic bytes)', async () => {
    const tar = await tarOf([{ name: 'etc/', type: 'directory' }, { name: 'etc/hostname', content: 'x\n' }, { name: 'bin/sh', type: 'symlink', linkname: 'dash' }]);
    for (const bytes of [tar, gzipSync(tar), zstdCompressSync(tar)]) {
      const { entries } = await walk(bytes);
      assert.deepEqual(entries.map((e) => `${e.type}:${e.path}`), ['directory:etc', 'file:etc/hostname', 'symlink:bin/sh']);
    }
  });

  it('reports path traversal, absolute paths and device files, and never yields them', async () => {
    const tar = await tarOf([
      { name: '../../../etc/cron.d/evil', content: 'x' },
      { name: 'a/../../b', content: 'x' },
      { name: '/etc/shadow', content: 'x' },
      { name: 'dev/kmem', type: 'character-device' },
      { name: './ok/./file', content: 'y' },
    ]);
    const { entries, problems } = await walk(tar);
    assert.deepEqual(problems.map((p) => p.code), ['path-traversal', 'path-traversal', 'absolute-path', 'device-file']);
    assert.deepEqual(entries.map((e) => e.path), ['dev/kmem', 'ok/file']);
  });

  it('classifies whiteouts and opaque directories', async () => {
    const { entries } = await walk(await tarOf([{ name: 'etc/.wh.passwd' }, { name: 'opt/app/.wh..wh..opq' }]));
    assert.deepEqual(entries, [{ type: 'whiteout', path: 'etc/passwd' }, { type: 'opaque', path: 'opt/app' }]);
  });

  it('stops decompression bombs by ratio and by size', async () => {
    const bomb = gzipSync(await tarOf([{ name: 'zeros', content: Buffer.alloc(64 * 1024 * 1024) }]));
    await assert.rejects(walk(bomb, { ...DEFAULT_WALK_LIMITS, maxRatio: 100, ratioAfterBytes: 1024 * 1024 }), (e: unknown) => e instanceof BulwarkError && e.code === 'E_TOO_LARGE' && /bomb/.test(e.message));
    await assert.rejects(walk(bomb, { ...DEFAULT_WALK_LIMITS, maxLayerBytes: 8 * 1024 * 1024 }), (e: unknown) => e instanceof BulwarkError && e.code === 'E_TOO_LARGE');
  });

  it('bounds the number of entries', async () => {
    const tar = await tarOf(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, content: '' })));
    await assert.rejects(walk(tar, { ...DEFAULT_WALK_LIMITS, maxEntries: 10 }), (e: unknown) => e instanceof BulwarkError && e.code === 'E_TOO_LARGE');
  });

  it('applies whiteouts across layers and keeps secrets of deleted files (collector)', async () => {
    const collector = new Collector({ secrets: true });
    const layers = [
      await tarOf([{ name: 'app/.env', content: 'T=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n' }, { name: 'app/node_modules/x/package.json', content: '{"name":"x","version":"1.0.0"}' }, { name: 'opt/a/f', content: '1' }]),
      await tarOf([{ name: 'app/.wh..env' }, { name: 'opt/a/.wh..wh..opq' }, { name: 'opt/a/g', content: '2' }, { name: 'app/node_modules/.wh.x' }]),
    ];
    for (const [i, tar] of layers.entries()) await walkLayer(Readable.from([tar]), `layer ${i}`, collector.callbacks(i, `sha256:${i}`));
    collector.commit(0);
    collector.commit(1);
    assert.deepEqual([...collector.fs.entries()].filter(([, n]) => n.kind === 'file').map(([p]) => p), ['opt/a/g']);
    assert.equal(collector.secrets.length, 1);
    assert.equal(collector.secrets[0]!.path, '/app/.env');
  });

  it('normalises member names as splitting on "/" would, fast path included (property)', () => {
    const reference = (name: string): string | null => {
      if (name.startsWith('/')) return null;
      const parts: string[] = [];
      for (const part of name.split('/')) {
        if (part === '' || part === '.') continue;
        if (part === '..') {
          if (parts.length === 0) return null;
          parts.pop();
        } else parts.push(part);
      }
      return parts.join('/');
    };
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b.c', '..', '.', '', '.x', 'x.', '..y', 'z..'), { maxLength: 8 }), (segments) => {
        const name = segments.join('/');
        const actual = normaliseMemberPath(name, DEFAULT_WALK_LIMITS);
        assert.deepEqual('path' in actual ? actual.path : null, reference(name), JSON.stringify(name));
      }),
      { numRuns: 2000 },
    );
  });

  it('normalises member names', () => {
    assert.deepEqual(normaliseMemberPath('./a//b/./c/', DEFAULT_WALK_LIMITS), { path: 'a/b/c' });
    assert.ok('problem' in normaliseMemberPath('a/../../x', DEFAULT_WALK_LIMITS));
    assert.ok('problem' in normaliseMemberPath('x'.repeat(5000), DEFAULT_WALK_LIMITS));
  });

  it('never crashes or hangs on hostile tars (fuzz)', async () => {
    const sample = await tarOf([{ name: 'a/b', content: 'hello' }, { name: 'c', type: 'symlink', linkname: '../../x' }, { name: 'd'.repeat(150), content: 'long name' }]);
    await assertNeverCrashesAsync(fc.oneof(mutatedBytes(sample), mutatedBytes(gzipSync(sample)), fc.uint8Array({ maxLength: 3000 }).map((b) => Buffer.from(b))), (bytes) => walk(bytes), 300);
  });

  it('never crashes when every member is read, fed in chunks of any size (fuzz, collector sinks)', async () => {
    const sample = await tarOf([
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\n' },
      { name: 'app/node_modules/x/package.json', content: '{"name":"x","version":"1.0.0"}' },
      { name: 'usr/bin/tool', content: Buffer.concat([Buffer.from('\x7fELF'), Buffer.alloc(5000)]), mode: 0o755 },
      { name: 'app/.env', content: 'T=ghp_abcdefghijklmnopqrstuvwxyz0123456789\n' },
    ]);
    await assertNeverCrashesAsync(
      fc.tuple(fc.oneof(mutatedBytes(sample), mutatedBytes(gzipSync(sample))), fc.integer({ min: 1, max: 2000 })),
      async ([bytes, size]) => {
        const chunks: Buffer[] = [];
        for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
        const collector = new Collector({ secrets: true });
        await walkLayer(Readable.from(chunks), 'fuzz layer', collector.callbacks(0, 'sha256:0'));
        collector.commit(0);
      },
      200,
    );
  });

  it('hands sinks the same bytes whatever the chunking of the layer', async () => {
    const content = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251));
    const tar = await tarOf([{ name: 'a', content: 'first' }, { name: 'b', content }, { name: 'c', content: '' }]);
    for (const size of [1, 100, 511, 512, 513, tar.length]) {
      const bodies = new Map<string, Buffer[]>();
      const chunks: Buffer[] = [];
      for (let at = 0; at < tar.length; at += size) chunks.push(tar.subarray(at, at + size));
      await walkLayer(Readable.from(chunks), 'chunked', {
        onProblem: (problem) => assert.fail(problem.message),
        onEntry: (entry) => {
          const parts: Buffer[] = [];
          bodies.set(entry.path, parts);
          return { write: (chunk) => parts.push(Buffer.from(chunk)), end: () => {} };
        },
      });
      assert.deepEqual([...bodies].map(([path, parts]) => [path, Buffer.concat(parts).toString('latin1')]), [['a', 'first'], ['b', content.toString('latin1')], ['c', '']], `chunks of ${size}`);
    }
  });
});
