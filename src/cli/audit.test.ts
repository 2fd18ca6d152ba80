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
    assert.match(result.stderr, /nothing to receive/);
    for (const command of ['serve', 'detect', 'policy', 'rules']) assert.match(bulwark(['audit', command, '--help']).stdout, /Example/);
  });
});
