// The published package (bundled dist/, scripts/bundle.ts) behaves exactly as the checkout does:
// built, packed and unpacked as a user installs it, its `bulwark` prints what the sources print.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ENTRY_POINTS } from '../scripts/bundle.ts';
import { stagePackage, type StagedPackage } from '../scripts/stage-package.ts';
import { runProcess } from './support/process.ts';

const root = new URL('..', import.meta.url).pathname;
const checkoutBin = join(root, 'bin', 'bulwark.js');
let staged: StagedPackage;
before(() => {
  staged = stagePackage();
});
after(() => staged?.remove());

async function both(args: readonly string[]): Promise<{ packaged: string; checkout: string; status: number | null }> {
  // Both run from the checkout, so relative paths in reports are the same.
  const env = { ...process.env, NO_COLOR: '1' };
  const packaged = await runProcess(process.execPath, [staged.bin, ...args], { cwd: root, env });
  const checkout = await runProcess(process.execPath, [checkoutBin, ...args], { cwd: root, env });
  assert.equal(packaged.status, checkout.status, packaged.stderr);
  assert.equal(packaged.stderr, checkout.stderr);
  return { packaged: packaged.stdout, checkout: checkout.stdout, status: packaged.status };
}

describe('the published package', () => {
  it('holds the bundled code and no TypeScript source', () => {
    const files = readdirSync(join(staged.dir, 'dist'));
    for (const entry of ENTRY_POINTS) {
      const name = entry.split('/').pop()!.replace(/\.ts$/, '.js');
      assert.ok(files.includes(name), `${name} is in dist/`);
    }
    assert.ok(!existsSync(join(staged.dir, 'src')), 'src/ is not published');
    assert.ok(files.every((file) => file.endsWith('.js') || file.endsWith('.js.map')));
  });

  it('has an entry point for every module the code starts by URL (worker threads)', () => {
    const started = new Set<string>();
    for (const file of readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const text = readFileSync(join(root, 'src', file), 'utf8');
      for (const match of text.matchAll(/endsWith\('\.ts'\) \? '\.\/([\w-]+)\.ts'/g)) started.add(join(dirname(file), `${match[1]}.ts`));
    }
    assert.ok(started.size >= 2, [...started].join(', '));
    for (const module of started) assert.ok(ENTRY_POINTS.includes(join('src', module)), `${module} is started by URL but is no entry point of scripts/bundle.ts`);
  });

  it('scans on its scan thread exactly as the checkout does, in every format', async () => {
    for (const format of ['json', 'sarif', 'table', 'junit']) {
      const { packaged, checkout } = await both(['scan', 'examples', '--format', format, '--fail-on', 'critical']);
      assert.ok(packaged.length > 1000, format);
      assert.equal(packaged, checkout, format);
    }
  });

  it('reports its version and lists the catalog as the checkout does', async () => {
    const version = await both(['--version']);
    assert.equal(version.packaged, version.checkout);
    const controls = await both(['controls', '--format', 'json']);
    assert.equal(controls.packaged, controls.checkout);
  });

  it('reports input errors with the same exit code', async () => {
    const broken = await both(['scan', join('test', 'fixtures', 'does-not-exist.yaml')]);
    assert.equal(broken.status, 2);
    assert.equal(broken.packaged, broken.checkout);
  });

  it('scans standard input (on the main thread) as the checkout does', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers: [{name: c, image: i, securityContext: {privileged: true}}]\n';
    const run = (bin: string) => spawnSync(process.execPath, [bin, 'scan', '-', '--format', 'json'], { cwd: root, input: pod, encoding: 'utf8', timeout: 60_000 });
    const packaged = run(staged.bin);
    const checkout = run(checkoutBin);
    assert.equal(packaged.status, checkout.status);
    assert.match(packaged.stdout, /pss-privileged/);
    assert.equal(packaged.stdout, checkout.stdout);
  });
});
