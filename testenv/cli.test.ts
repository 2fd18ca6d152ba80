import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { testenvDir } from './paths.ts';

const cli = join(testenvDir, 'cli.ts');
const scratch = mkdtempSync(join(tmpdir(), 'bulwark-testenv-cli-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, BULWARK_TESTENV_DIR: join(scratch, 'cache') } });

describe('testenv cli', () => {
  it('--help shows an example for each command', () => {
    for (const args of [['--help'], ['up', '--help'], ['down', '--help']]) {
      const result = run(...args);
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /Examples:\n {2}\$ npm run testenv -- /);
    }
  });

  it('down with nothing running says so, points at the help and exits 2', () => {
    const result = run('down', '--dir', join(scratch, 'empty'));
    assert.equal(result.status, 2);
    assert.match(result.stderr, /no control plane runs in .*empty.*run "npm run testenv -- down --help" for usage/);
  });

  it('up without the binaries names them and how to build them, exit 2', () => {
    const result = run('up', '--dir', join(scratch, 'up'));
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /kube-apiserver and etcd not built: run testenv\/build\.sh \(needs Go\)/);
  });

  it('bad flags are usage errors that point at the help of their command', () => {
    const timeout = run('up', '--timeout', 'soon');
    assert.equal(timeout.status, 2);
    assert.match(timeout.stderr, /argument 'soon' is invalid\. expected a positive number of seconds\n\(run "npm run testenv -- up --help" for usage\)/);
    const down = run('down', '--bogus');
    assert.equal(down.status, 2);
    assert.match(down.stderr, /unknown option '--bogus'\n\(run "npm run testenv -- down --help" for usage\)/);
    assert.equal(run('sideways').status, 2);
    assert.match(run('up', '--help').stdout, /\(default: 60\)/);
  });
});
