import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const heap = new URL('./heap.ts', import.meta.url).href;
const run = (flags: string[]) =>
  spawnSync(process.execPath, [...flags, '--input-type=module', '-e', `const { collectStartupGarbage } = await import(${JSON.stringify(heap)}); process.stdout.write(String(collectStartupGarbage()));`], { encoding: 'utf8', timeout: 30_000 });

test('collectStartupGarbage runs a full collection only where the process exposes one', () => {
  const exposed = spawnSync(process.execPath, ['--expose-gc', '--trace-gc', '--input-type=module', '-e', `const { collectStartupGarbage } = await import(${JSON.stringify(heap)}); console.log('before'); collectStartupGarbage();`], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(exposed.status, 0, exposed.stderr);
  // The collection asked for is a full one (V8 names it "testing"), after the module loaded.
  assert.match(exposed.stdout.slice(exposed.stdout.indexOf('before')), /Mark-Compact.*testing/);
  assert.equal(run(['--expose-gc']).stdout, 'true');
  assert.equal(run([]).stdout, 'false');
});
