import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const heap = new URL('./heap.ts', import.meta.url).href;

test('collectStartupGarbage runs a full collection without exposing gc to the program', () => {
  const child = spawnSync(
    process.execPath,
    ['--trace-gc', '--input-type=module', '-e', `const { collectStartupGarbage } = await import(${JSON.stringify(heap)}); console.log('before'); collectStartupGarbage(); console.log('gc is', typeof globalThis.gc);`],
    { encoding: 'utf8', timeout: 30_000 },
  );
  assert.equal(child.status, 0, child.stderr);
  const after = child.stdout.slice(child.stdout.indexOf('before'));
  // The collection asked for is a full one (V8 names it "testing"), after the module loaded.
  assert.match(after, /Mark-Compact.*testing/);
  assert.match(after, /gc is undefined/);
});

test('built-in modules loaded after the collection still come from Node\'s code cache', () => {
  // --expose-gc, which the server was started with before, made Node reject these caches.
  const child = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `const { collectStartupGarbage } = await import(${JSON.stringify(heap)}); collectStartupGarbage(); await import('node:https'); await import('node:zlib');`],
    { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NODE_DEBUG_NATIVE: 'CODE_CACHE' } },
  );
  assert.equal(child.status, 0, child.stderr);
  assert.match(child.stderr, /is accepted/);
  assert.doesNotMatch(child.stderr, /is rejected/);
});
