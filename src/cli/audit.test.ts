// `bulwark audit` through the real binary: detect's JSON and exit codes (0, 1 with --fail-on, 2 for
// malformed input), policy and rules listings, and --help examples.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { load } from 'js-yaml';
import { repoRoot } from '../../test/support/shared.ts';
import { rawAuditEvent } from '../audit/testing.ts';

const scratch = mkdtempSync(join(tmpdir(), 'bulwark-cli-audit-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function bulwark(args: string[], input = ''): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin', 'bulwark.js'), ...args], { cwd: repoRoot, input, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('bulwark audit', () => {
  const exec = rawAuditEvent({ user: 'minikube-user', stage: 'ResponseStarted', subresource: 'exec', name: 'web', code: 101, auditID: 'exec-1' });
  const privileged = rawAuditEvent({ user: 'minikube-user', resource: 'pods', auditID: 'priv-1', requestObject: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'a', image: 'x', securityContext: { privileged: true } }] } } });
  const file = join(scratch, 'events.jsonl');
  writeFileSync(file, `${JSON.stringify(exec)}\n${JSON.stringify(privileged)}\n`);

  it('detect prints the alerts as stable JSON', () => {
    const result = bulwark(['audit', 'detect', file, '--format', 'json']);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      alerts: [
        { rule: 'exec-attach-pod', falco: 'Attach/Exec Pod', priority: 'NOTICE', auditID: 'exec-1', message: 'Attach/Exec to pod (user=minikube-user pod=web ns=default action=exec command= resp=101)' },
        { rule: 'create-privileged-pod', falco: 'Create Privileged Pod', priority: 'WARNING', auditID: 'priv-1', message: 'Pod started with a privileged container (user=minikube-user pod= ns=default images=x)' },
      ],
    });
  });

  it('exits 1 with --fail-on at or below an alert\'s priority, 0 above it; reads stdin', () => {
    assert.equal(bulwark(['audit', 'detect', file, '--fail-on', 'warning']).status, 1);
    assert.equal(bulwark(['audit', 'detect', file, '--fail-on', 'ERROR']).status, 0);
    const piped = bulwark(['audit', 'detect', '-', '--format', 'json', '--min-priority', 'WARNING'], JSON.stringify(exec));
    assert.deepEqual(JSON.parse(piped.stdout), { alerts: [] });
  });

  it('exits 2 naming the file and line of malformed input, after checking the rest', () => {
    const bad = join(scratch, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify(privileged)}\n{"kind":"Event"\n`);
    const result = bulwark(['audit', 'detect', bad, '--format', 'json']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, new RegExp(`${bad.replaceAll('/', '\\/')}:2: error: not valid JSON`));
    assert.equal((JSON.parse(result.stdout) as { alerts: unknown[] }).alerts.length, 1);
    assert.equal(bulwark(['audit', 'detect', join(scratch, 'absent.json')]).status, 2);
    const badFlag = bulwark(['audit', 'detect', file, '--fail-on', 'loud']);
    assert.equal(badFlag.status, 2);
    assert.match(badFlag.stderr, /a priority is one of EMERGENCY/);
    const rules = join(scratch, 'rules.yaml');
    writeFileSync(rules, 'apiVersion: bulwark.dev/v1alpha1\nkind: AuditRules\nrules:\n  - {id: x, priority: INFO, condition: "usr.name == 1", output: o}\n');
    const refused = bulwark(['audit', 'detect', file, '--rules', rules]);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /rules\.yaml: rule x: condition: 1:1: undeclared reference to 'usr'/);
  });

  it('a file of the wrong kind gets the first errors, a count of the rest and exit 2, not one line each', () => {
    const wrong = join(scratch, 'not-events.yaml');
    writeFileSync(wrong, Array.from({ length: 50 }, (_, i) => `key${i}: value`).join('\n'));
    const result = bulwark(['audit', 'detect', wrong]);
    assert.equal(result.status, 2);
    const errors = result.stderr.split('\n').filter((line) => line.includes(': error: '));
    assert.equal(errors.length, 20);
    assert.match(errors[0]!, /not-events\.yaml:1: error: not valid JSON/);
    assert.match(result.stderr, /^bulwark: 30 more malformed input\(s\) not shown$/m);
    assert.match(result.stdout, /0 alert\(s\) from 0 event\(s\), 50 malformed/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('a missing file or a directory is named before any event is read', () => {
    const missing = bulwark(['audit', 'detect', file, join(scratch, 'missing.log')]);
    assert.equal(missing.status, 2);
    assert.equal(missing.stdout, '', 'no partial report');
    assert.equal(missing.stderr, `bulwark: ${join(scratch, 'missing.log')}: cannot read: no such file or directory\n`);
    const directory = bulwark(['audit', 'detect', scratch]);
    assert.equal(directory.status, 2);
    assert.equal(directory.stderr, `bulwark: ${scratch}: is a directory: give the audit log files in it\n`);
  });

  it('--no-builtin-rules without a rules file is a usage error, not a silent empty run', () => {
    for (const args of [['rules'], ['detect', file]]) {
      const result = bulwark(['audit', ...args, '--no-builtin-rules']);
      assert.equal(result.status, 2);
      assert.equal(result.stderr, 'bulwark: --no-builtin-rules needs at least one --rules FILE\n');
    }
  });

  it('a rules file that is not YAML is named once with its position', () => {
    const broken = join(scratch, 'broken-rules.yaml');
    writeFileSync(broken, 'rules:\n  - [unclosed\n');
    const result = bulwark(['audit', 'rules', '--rules', broken]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /^bulwark: .*broken-rules\.yaml:3:1: not valid YAML: [^"]+$/m);
  });

  it('prints the recommended policy and lists the rules', () => {
    const policy = bulwark(['audit', 'policy']);
    assert.equal(policy.status, 0);
    assert.equal((load(policy.stdout) as { kind: string }).kind, 'Policy');
    const rules = JSON.parse(bulwark(['audit', 'rules', '--format', 'json']).stdout) as { rules: { id: string; falco: string | null }[] };
    assert.ok(rules.rules.some((r) => r.id === 'exec-attach-pod' && r.falco === 'Attach/Exec Pod'));
    assert.match(bulwark(['audit', 'rules', '--format', 'markdown']).stdout, /^\| rule \| priority \| Falco equivalent \| what \|/);
  });

  it('serve refuses to start with nothing to receive, and every command has an example', () => {
    const result = bulwark(['audit', 'serve', '--ledger', join(scratch, 'no-ledger')]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /nothing to receive: give --tls-cert-file and --tls-private-key-file/);
    for (const command of ['serve', 'detect', 'policy', 'rules']) assert.match(bulwark(['audit', command, '--help']).stdout, /Example/);
  });
});
