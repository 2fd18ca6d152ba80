// What startControlPlane decides before it runs anything; starting for real is covered by
// test/integration/testenv.test.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BulwarkError } from '../src/core/errors.ts';
import { startControlPlane } from './control-plane.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-control-plane-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
// No binaries in this cache: nothing may get as far as needing them.
process.env.BULWARK_TESTENV_DIR = join(scratch, 'cache');

const rejectsWith = (code: string, pattern: RegExp) => (error: unknown): boolean => {
  assert.ok(error instanceof BulwarkError, String(error));
  assert.equal(error.code, code);
  assert.match(error.message, pattern);
  return true;
};

describe('startControlPlane before starting anything', () => {
  it('names the missing binaries and how to build them', async () => {
    await assert.rejects(startControlPlane(), rejectsWith('E_TOOL_MISSING', /kube-apiserver and etcd not built: run testenv\/build\.sh \(needs Go\)/));
  });

  it('refuses wrong options by name, creating nothing', async () => {
    const before = readdirSync(tmpdir()).filter((name) => name.startsWith('bulwark-testenv-')).length;
    await assert.rejects(startControlPlane({ encryption: 'kind: Policy\napiVersion: audit.k8s.io/v1\n' }), rejectsWith('E_INPUT', /^encryption: expected kind EncryptionConfiguration, found "Policy"/));
    await assert.rejects(startControlPlane({ audit: {} }), rejectsWith('E_USAGE', /audit: name a webhook receiver, or log: true/));
    await assert.rejects(startControlPlane({ audit: { log: true, policy: { kind: 'Policy', apiVersion: 'audit.k8s.io/v1beta1' } } }), rejectsWith('E_INPUT', /^audit\.policy: apiVersion must be one of audit\.k8s\.io\/v1/));
    await assert.rejects(startControlPlane({ audit: { webhook: { url: 'http://collector.example.com/' } } }), rejectsWith('E_USAGE', /only accepted on loopback/));
    await assert.rejects(startControlPlane({ startTimeoutMs: 10 }), rejectsWith('E_USAGE', /startTimeoutMs must be between 1000 and 600000/));
    await assert.rejects(startControlPlane({ stopGraceMs: -1 }), rejectsWith('E_USAGE', /stopGraceMs/));
    await assert.rejects(startControlPlane({ apiserverArgs: ['v=5'] }), rejectsWith('E_USAGE', /apiserverArgs: expected --flag=value, found "v=5"/));
    assert.equal(readdirSync(tmpdir()).filter((name) => name.startsWith('bulwark-testenv-')).length, before);
  });
});
