import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MergedFilesystem } from './filesystem.ts';

const file = (layer: number) => ({ kind: 'file' as const, layer, mode: 0o644, size: 1 });

describe('merged filesystem', () => {
  it('a whiteout hides lower layers only; an opaque directory hides lower contents', () => {
    const fs = new MergedFilesystem<never>();
    fs.put('a/x', file(0));
    fs.put('a/y', file(0));
    fs.put('b/z', file(0));
    fs.whiteout('a/x', 1);
    fs.put('b/new', file(1));
    fs.opaque('b', 1);
    assert.deepEqual([...fs.entries()].map(([p]) => p), ['a/y', 'b/new']);
    fs.put('a/y', file(2));
    fs.whiteout('a/y', 2); // same layer: the file written by this layer stays
    assert.ok(fs.get('a/y'));
  });

  it('a file replacing a directory hides the tree below it', () => {
    const fs = new MergedFilesystem<never>();
    fs.put('d/e/f', file(0));
    fs.put('d', file(1));
    assert.deepEqual([...fs.entries()].map(([p]) => p), ['d']);
  });

  it('resolves symlinks inside the image root and stops at loops', () => {
    const fs = new MergedFilesystem<never>();
    fs.put('usr/lib/os-release', file(0));
    fs.put('etc/os-release', { kind: 'symlink', layer: 0, mode: 0o777, size: 0, target: '../usr/lib/os-release' });
    fs.put('lib', { kind: 'symlink', layer: 0, mode: 0o777, size: 0, target: 'usr/lib' });
    fs.put('escape', { kind: 'symlink', layer: 0, mode: 0o777, size: 0, target: '../../../../usr/lib/os-release' });
    fs.put('loop1', { kind: 'symlink', layer: 0, mode: 0o777, size: 0, target: '/loop2' });
    fs.put('loop2', { kind: 'symlink', layer: 0, mode: 0o777, size: 0, target: 'loop1' });
    assert.deepEqual(fs.resolve('etc/os-release'), { path: 'usr/lib/os-release' });
    assert.deepEqual(fs.resolve('lib/os-release'), { path: 'usr/lib/os-release' });
    assert.deepEqual(fs.resolve('escape'), { path: 'usr/lib/os-release' }, '.. stops at the root, as in a chroot');
    assert.ok('loop' in fs.resolve('loop1/x'));
    assert.ok('missing' in fs.resolve('nothing'));
  });
});
