// End-to-end through the real `bulwark` binary: `scan --policy`, `policy test` and `policy lint`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot } from './support/shared.ts';

const bin = join(repoRoot, 'bin', 'bulwark.js');

function bulwark(args: string[], cwd = repoRoot): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface JsonReport {
  findings: { control: string; severity: string; object: { kind: string; name: string; namespace: string | null }; location: { file: string; line: number; path: string }; message: string }[];
}

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-policy-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('bulwark scan --policy', () => {
  const scan = bulwark([
    'scan',
    'examples/policies/replica-limit/resources.yaml',
    'examples/policies/image-registry/resources.yaml',
    '--policy',
    'examples/policies/replica-limit',
    '--policy',
    'examples/policies/image-registry/policy.yaml',
    '--format',
    'json',
  ]);
  const report = JSON.parse(scan.stdout) as JsonReport;
  const policyFindings = report.findings.filter((f) => f.control.startsWith('policy/'));

  it('reports policy violations as findings of control policy/<name>', () => {
    assert.equal(scan.status, 0, scan.stderr);
    assert.deepEqual(
      policyFindings.map((f) => `${f.control} ${f.object.kind}/${f.object.name}`),
      // Findings are sorted by file, then line.
      [
        'policy/image-registry CronJob/cleanup',
        'policy/image-registry Pod/debug',
        'policy/replica-limit Deployment/search',
        'policy/replica-limit Deployment/report',
      ],
    );
  });

  it('locates a finding at the validation fieldPath, with the message expression', () => {
    const search = policyFindings.find((f) => f.object.name === 'search');
    assert.equal(search?.location.path, 'spec.replicas');
    assert.equal(search?.location.file, 'examples/policies/replica-limit/resources.yaml');
    assert.equal(search?.location.line, 30);
    assert.equal(search?.message, 'replicas must be at most 5, not 8');
    assert.equal(search?.severity, 'medium');
    assert.equal(policyFindings.find((f) => f.object.name === 'debug')?.severity, 'high');
  });

  it('fails on policy severities with --fail-on, and lists policies as SARIF rules', () => {
    const failing = bulwark(['scan', 'examples/policies/image-registry/resources.yaml', '--policy', 'examples/policies/image-registry', '--fail-on', 'high', '--format', 'json']);
    assert.equal(failing.status, 1);
    const sarif = bulwark(['scan', 'examples/policies/image-registry/resources.yaml', '--policy', 'examples/policies/image-registry', '--format', 'sarif']);
    assert.equal(sarif.status, 0, sarif.stderr);
    const rules = (JSON.parse(sarif.stdout) as { runs: { tool: { driver: { rules: { id: string }[] } } }[] }).runs[0]!.tool.driver.rules;
    assert.ok(rules.some((r) => r.id === 'policy/image-registry'));
  });

  it('exits 2 naming the policy, the field and the position when a policy does not compile', () => {
    const file = join(scratch, 'broken.yaml');
    writeFileSync(
      file,
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: broken}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}]
  validations:
    - expression: "object.spec.replicas <= maxReplicas"
`,
    );
    const run = bulwark(['scan', 'examples/policies/replica-limit/resources.yaml', '--policy', file, '--format', 'json']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /broken.yaml:8:7: error: ValidatingAdmissionPolicy "broken": spec.validations\[0\].expression: 1:25: undeclared reference to 'maxReplicas'/);
  });

  it('exits 2 when --policy holds no policy', () => {
    const run = bulwark(['scan', 'examples/policies/replica-limit/resources.yaml', '--policy', 'examples/policies/replica-limit/resources.yaml']);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /no ValidatingAdmissionPolicy found/);
  });

  it('lets exceptions in .bulwark.yaml name policy controls', () => {
    const dir = join(scratch, 'exceptions');
    const manifests = join(dir, 'app.yaml');
    rmSync(dir, { recursive: true, force: true });
    spawnSync('mkdir', ['-p', dir]);
    writeFileSync(
      manifests,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: search, namespace: shop}\nspec:\n  replicas: 8\n',
    );
    writeFileSync(
      join(dir, '.bulwark.yaml'),
      'version: 1\nexceptions:\n  - controls: [policy/replica-limit]\n    names: [search]\n    reason: "load test, see OPS-1"\n',
    );
    const run = bulwark(['scan', manifests, '--policy', join(repoRoot, 'examples/policies/replica-limit'), '--format', 'json'], dir);
    assert.equal(run.status, 0, run.stderr);
    const findings = (JSON.parse(run.stdout) as JsonReport).findings;
    assert.equal(findings.filter((f) => f.control === 'policy/replica-limit').length, 0);
  });
});

describe('bulwark policy', () => {
  it('test passes the example policies and prints a table', () => {
    const run = bulwark(['policy', 'test', 'examples/policies']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /replica-limit +replica-limit +Deployment\/shop\/search +fail +fail +ok/);
    assert.match(run.stdout, /passed, 0 failed/);
  });

  it('test prints stable JSON', () => {
    const run = bulwark(['policy', 'test', 'examples/policies/image-tag', '--format', 'json']);
    assert.equal(run.status, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { schemaVersion: string; summary: { failed: number; passed: number } };
    assert.equal(json.schemaVersion, '1');
    assert.deepEqual([json.summary.failed, json.summary.passed], [0, 3]);
  });

  it('lint compiles policies and reports errors with exit 2', () => {
    const ok = bulwark(['policy', 'lint', 'examples/policies']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /5 policies, 2 bindings, 0 errors/);
    const file = join(scratch, 'lint.yaml');
    writeFileSync(
      file,
      'apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata: {name: x}\nspec:\n  matchConstraints:\n    resourceRules: [{apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"]}]\n  validations:\n    - expression: "object.metadata.name.matches(\'[\')"\n',
    );
    const bad = bulwark(['policy', 'lint', file]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /spec.validations\[0\].expression: 1:30: invalid regular expression/);
  });

  it('lint of a path without policies is an error (exit 2), like test', () => {
    const empty = mkdtempSync(join(scratch, 'no-policies-'));
    writeFileSync(join(empty, 'deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n');
    const run = bulwark(['policy', 'lint', empty]);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stdout, /0 policies, 0 bindings, 0 errors/);
    assert.match(run.stderr, /^bulwark: no ValidatingAdmissionPolicy found in .*no-policies-.*; give the files or directories that hold the policies\n$/);
  });

  it('has help with examples', () => {
    for (const command of [['policy', '--help'], ['policy', 'test', '--help'], ['policy', 'lint', '--help']]) {
      const run = bulwark(command);
      assert.equal(run.status, 0);
      assert.match(run.stdout, /Examples:/);
    }
    assert.match(bulwark(['scan', '--help']).stdout, /--policy <path>/);
  });
});
