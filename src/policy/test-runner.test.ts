// `bulwark policy test` as a module: the example policies' tests pass; a wrong expectation, a
// missing resource or a broken test file are reported as such.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from '../../test/support/shared.ts';
import { formatTestJson, formatTestTable } from './test-report.ts';
import { runPolicyTests } from './test-runner.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-policy-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('runPolicyTests', () => {
  it('passes every expectation of the example policies', async () => {
    const run = await runPolicyTests(['examples/policies'], { cwd: repoRoot });
    assert.deepEqual(run.diagnostics, []);
    assert.equal(run.exitCode, 0);
    assert.equal(run.summary.failed, 0);
    assert.ok(run.summary.results >= 15);
    assert.equal(run.files.length, 5);
  });

  it('fails on a wrong expectation and says why', async () => {
    const dir = join(scratch, 'wrong');
    cpSync(join(repoRoot, 'examples/policies/replica-limit'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'bulwark-test.yaml'),
      `apiVersion: bulwark.dev/v1alpha1
kind: PolicyTest
metadata: {name: wrong}
policies: [policy.yaml]
params: [params.yaml]
resources: [resources.yaml]
results:
  - policy: replica-limit
    resources: [Deployment/shop/search]
    result: pass
  - policy: replica-limit
    resources: [Deployment/shop/search]
    result: fail
    message: not the message
  - policy: replica-limit
    resources: [Deployment/nowhere]
    result: pass
`,
    );
    const run = await runPolicyTests([dir], { cwd: scratch });
    assert.equal(run.exitCode, 1);
    assert.deepEqual(
      run.files[0]?.results.map((r) => [r.actual, r.passed]),
      [
        ['fail', false],
        ['fail', false],
        ['missing', false],
      ],
    );
    assert.match(run.files[0]?.results[0]?.reason ?? '', /expected pass, got fail: replicas must be at most 5, not 8/);
    assert.match(run.files[0]?.results[1]?.reason ?? '', /no failure message equals the expected one/);
    assert.match(run.files[0]?.results[2]?.reason ?? '', /no resource Deployment\/nowhere/);
    const table = formatTestTable(run, { color: false });
    assert.match(table, /FAIL/);
    assert.match(table, /0 passed, 3 failed/);
    const json = JSON.parse(formatTestJson(run, { name: 'bulwark', version: 'test' })) as { summary: { failed: number }; tests: { results: unknown[] }[] };
    assert.equal(json.summary.failed, 3);
  });

  it('exits 2 on a broken test file or a policy that does not compile', async () => {
    const dir = join(scratch, 'broken');
    cpSync(join(repoRoot, 'examples/policies/image-tag'), dir, { recursive: true });
    writeFileSync(join(dir, 'bulwark-test.yaml'), 'apiVersion: bulwark.dev/v1alpha1\nkind: PolicyTest\nmetadata: {name: broken}\npolicies: policy.yaml\n');
    const broken = await runPolicyTests([dir], { cwd: scratch });
    assert.equal(broken.exitCode, 2);
    assert.match(broken.diagnostics.map((d) => d.message).join('\n'), /policies: must be a list of files or directories/);

    writeFileSync(join(dir, 'bulwark-test.yaml'), 'apiVersion: bulwark.dev/v1alpha1\nkind: PolicyTest\nmetadata: {name: bad-policy}\npolicies: [policy.yaml]\nresources: [resources.yaml]\nresults: [{policy: image-tag, resources: [pinned], result: pass}]\n');
    writeFileSync(join(dir, 'policy.yaml'), 'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: image-tag}\nspec:\n  matchConstraints:\n    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]\n  validations: [{expression: "object.spec +"}]\n');
    const badPolicy = await runPolicyTests([dir], { cwd: scratch });
    assert.equal(badPolicy.exitCode, 2);
    assert.match(badPolicy.diagnostics.map((d) => d.message).join('\n'), /spec.validations\[0\].expression: 1:13: syntax error/);

    const none = await runPolicyTests([join(scratch, 'missing')], { cwd: scratch });
    assert.equal(none.exitCode, 2);
  });
});
