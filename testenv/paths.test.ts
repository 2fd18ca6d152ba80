import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { BulwarkError } from '../src/core/errors.ts';
import { binariesDir, locateBinaries, missingControlPlane, parsePins, pins, requireBinaries, testenvDir } from './paths.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-paths-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('parsePins', () => {
  it('reads the pinned file the build script sources', () => {
    const text = readFileSync(join(testenvDir, 'versions.env'), 'utf8');
    const parsed = parsePins(text);
    assert.match(parsed.kubernetes, /^v1\.\d+\.\d+$/);
    assert.match(parsed.etcd, /^v3\.\d+\.\d+$/);
  });

  it('accepts comments and blank lines, rejects what the shell would not mean', () => {
    assert.deepEqual(parsePins('# c\n\nKUBERNETES_VERSION=v1.2.3\nETCD_VERSION=v3.6.0-rc.1\n'), { kubernetes: 'v1.2.3', etcd: 'v3.6.0-rc.1' });
    const rejects = (text: string, pattern: RegExp, line?: number): void => {
      assert.throws(() => parsePins(text, 'versions.env'), (error: BulwarkError) => {
        assert.equal(error.code, 'E_CONFIG');
        assert.match(error.message, pattern);
        assert.equal(error.location?.line, line);
        return true;
      });
    };
    rejects('KUBERNETES_VERSION=v1.2.3\n', /ETCD_VERSION is not set/);
    rejects('KUBERNETES_VERSION=1.2.3\nETCD_VERSION=v3.6.0\n', /KUBERNETES_VERSION must be a release like v1\.2\.3/, 1);
    rejects('KUBERNETES_VERSION=v1.2.3\nETCD_VERSION=v3.6.0; rm -rf /\n', /ETCD_VERSION must be a release/, 2);
    rejects('export KUBERNETES_VERSION=v1.2.3\n', /expected KEY=value/, 1);
  });

  it('never crashes on arbitrary text: a pin pair or a typed error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        try {
          const result = parsePins(text);
          assert.match(result.kubernetes, /^v\d/);
        } catch (error) {
          assert.ok(error instanceof BulwarkError, String(error));
          assert.ok(['E_CONFIG', 'E_TOO_LARGE'].includes(error.code));
        }
      }),
      { numRuns: 300 },
    );
    assert.throws(() => parsePins('#'.repeat(70_000)), (error: BulwarkError) => error.code === 'E_TOO_LARGE');
  });
});

describe('locating the binaries', () => {
  const env = { BULWARK_TESTENV_DIR: scratch, BULWARK_KUBERNETES_VERSION: 'v1.99.0', BULWARK_ETCD_VERSION: 'v3.99.0' };

  it('names what is missing and how to build it', () => {
    assert.equal(binariesDir(env), join(scratch, 'v1.99.0-etcd-v3.99.0'));
    assert.deepEqual(pins(env), { kubernetes: 'v1.99.0', etcd: 'v3.99.0' });
    assert.equal(missingControlPlane(env), 'kube-apiserver and etcd not built: run testenv/build.sh (needs Go)');
    assert.throws(() => requireBinaries(env), (error: BulwarkError) => error.code === 'E_TOOL_MISSING' && error.message.includes(binariesDir(env)));
  });

  it('finds both once built and executable', () => {
    const dir = binariesDir(env);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'etcd'), '#!/bin/sh\n');
    writeFileSync(join(dir, 'kube-apiserver'), '#!/bin/sh\n');
    assert.equal(missingControlPlane(env), 'kube-apiserver and etcd not built: run testenv/build.sh (needs Go)', 'not executable yet');
    chmodSync(join(dir, 'etcd'), 0o755);
    assert.equal(missingControlPlane(env), 'kube-apiserver not built: run testenv/build.sh (needs Go)');
    chmodSync(join(dir, 'kube-apiserver'), 0o755);
    assert.equal(missingControlPlane(env), false);
    assert.deepEqual(locateBinaries(env).binaries, { kubeApiserver: join(dir, 'kube-apiserver'), etcd: join(dir, 'etcd') });
  });

  it('defaults to the user cache directory', () => {
    assert.equal(binariesDir({ HOME: '/home/u' }).startsWith(join('/home/u', '.cache', 'bulwark', 'testenv')), true);
    assert.equal(binariesDir({ XDG_CACHE_HOME: '/c' }).startsWith(join('/c', 'bulwark', 'testenv')), true);
  });
});
