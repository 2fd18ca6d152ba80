// Rules files: how documents combine (lists appended or replaced, macros replaced, rules changed
// field by field, exceptions added, rules switched off), and that every mistake is an error naming
// the file and field — a rule that can never fire because of a typo is refused, not loaded.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { createDetector } from './detector.ts';
import { AuditError } from './errors.ts';
import { parseRulesDocument } from './rules/load.ts';
import { auditEvent } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-audit-rules-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const head = 'apiVersion: bulwark.dev/v1alpha1\nkind: AuditRules\n';

function file(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, head + body);
  return path;
}

const rulesError = (pattern: RegExp, path?: string) => (error: unknown): boolean =>
  error instanceof AuditError && error.reason === 'rules' && pattern.test(error.message) && (path === undefined || error.location?.file === path);

describe('rules files', () => {
  it('append to lists, replace macros, change rules field by field and add exceptions', () => {
    const tuning = file(
      'tuning.yaml',
      `lists:
  allowed_k8s_users: {items: [ci-bot], append: true}
  allowed_namespaces: [prod]
macros:
  consider_activity_events: "false"
rules:
  - id: create-hostnetwork-pod
    priority: ERROR
    exceptions: ["target.namespace == 'monitoring'"]
  - id: exec-attach-pod
    enabled: false
  - id: secret-list-all
    title: Secrets listed across namespaces
    priority: notice
    match: {verbs: [list], resources: [secrets]}
    condition: "target.namespace == ''"
    output: "secrets listed everywhere by {user.name}"
`,
    );
    const detector = createDetector({ files: [tuning] });
    const rules = (spec: Parameters<typeof auditEvent>[0]) => detector.detect(auditEvent(spec)).map((a) => `${a.rule}:${a.priority}`);
    assert.deepEqual(rules({ user: 'ci-bot', verb: 'get' }), []);
    assert.ok(rules({ user: 'mallory', verb: 'get' }).includes('disallowed-k8s-user:WARNING'));
    assert.ok(rules({ user: 'minikube-user', resource: 'namespaces', name: 'default' }).includes('create-disallowed-namespace:WARNING'));
    assert.ok(!rules({ user: 'minikube-user', resource: 'namespaces', name: 'prod' }).includes('create-disallowed-namespace:WARNING'));
    assert.ok(!rules({ user: 'minikube-user', resource: 'services' }).some((r) => r.startsWith('k8s-service-created')));
    const hostNetwork = { apiVersion: 'v1', kind: 'Pod', spec: { hostNetwork: true, containers: [{ name: 'a', image: 'x' }] } };
    assert.ok(rules({ user: 'minikube-user', resource: 'pods', namespace: 'default', requestObject: hostNetwork }).includes('create-hostnetwork-pod:ERROR'));
    assert.ok(!rules({ user: 'minikube-user', resource: 'pods', namespace: 'monitoring', requestObject: hostNetwork }).some((r) => r.startsWith('create-hostnetwork-pod')));
    assert.deepEqual(rules({ user: 'minikube-user', stage: 'ResponseStarted', subresource: 'exec', code: 101 }), []);
    assert.deepEqual(rules({ user: 'minikube-user', verb: 'list', resource: 'secrets', namespace: '', code: 200 }).filter((r) => r.startsWith('secret-list')), ['secret-list-all:NOTICE']);
    const [alert] = detector.detect(auditEvent({ user: 'minikube-user', verb: 'list', resource: 'secrets', namespace: '', code: 200 })).filter((a) => a.rule === 'secret-list-all');
    assert.deepEqual([alert!.title, alert!.falco, alert!.message], ['Secrets listed across namespaces', null, 'secrets listed everywhere by minikube-user']);
  });

  it('refuse mistakes, naming the file and the field', () => {
    const cases: [string, RegExp][] = [
      ['rules:\n  - {id: x, priority: INFO, condition: "user.nmae == 1 && lists.nope == []", output: o}\n', /rule x: condition: .*undeclared|undefined field 'nope'/],
      ['rules:\n  - {id: x, priority: INFO, condition: "macros.missing", output: o}\n', /rule x: condition: .*undefined field 'missing'/],
      ['rules:\n  - {id: x, priority: LOUD, condition: "true", output: o}\n', /rules\[0\]\.priority: must be one of/],
      ['rules:\n  - {id: x, priority: INFO, condition: "true"}\n', /rules\[0\]\.output: a new rule \("x"\) needs output/],
      ['rules:\n  - {id: X Y, priority: INFO, condition: "true", output: o}\n', /rules\[0\]\.id: a rule id is lower-case/],
      ['rules:\n  - {id: x, priority: INFO, condition: "true", output: "{user.name"}\n', /rule x: output: "\{" at column 1 is not closed/],
      ['rules:\n  - {id: x, priority: INFO, condition: "true", output: "{(}"}\n', /rule x: output \{\(\}/],
      ['rules:\n  - {id: x, priority: INFO, condition: "(", output: o}\n', /rule x: condition: .*syntax error/],
      ['rules:\n  - {id: x, priority: INFO, condition: "true", output: o, severity: high}\n', /rules\[0\]\.severity: unknown field/],
      ['macros:\n  a: "macros.b"\n  b: "macros.a"\n', /macros use each other in a cycle/],
      ['lists:\n  l: {items: [a], append: yes}\n', /lists\.l\.append: must be true or false/],
      ['lists:\n  "bad name": [a]\n', /lists\.bad name: a list name/],
      ['rules: {}\n', /^rules: must be a list of rules/],
    ];
    cases.forEach(([body, pattern], i) => {
      const path = file(`bad-${i}.yaml`, body);
      assert.throws(() => createDetector({ files: [path] }), rulesError(pattern, path), `case ${i}: ${body}`);
    });
    const path = join(dir, 'not-yaml.yaml');
    writeFileSync(path, 'rules: [\n');
    assert.throws(() => createDetector({ files: [path] }), (error: unknown) => error instanceof AuditError && error.reason === 'rules' && error.location?.line !== undefined);
    assert.throws(() => createDetector({ files: [join(dir, 'absent.yaml')] }), (error: unknown) => error instanceof AuditError && error.reason === 'io');
    assert.throws(() => parseRulesDocument('apiVersion: v1\nkind: AuditRules\n', 'k.yaml'), rulesError(/apiVersion: must be bulwark.dev\/v1alpha1/));
  });

  it('never crashes on arbitrary documents: a detector or a typed rules error', () => {
    fc.assert(
      fc.property(
        fc.record({ lists: fc.anything(), macros: fc.dictionary(fc.constantFrom('a', 'kevt', 'x y'), fc.oneof(fc.string(), fc.constantFrom('true', 'macros.a', 'user.name == 1'))), rules: fc.array(fc.dictionary(fc.constantFrom('id', 'priority', 'condition', 'output', 'match', 'enabled'), fc.oneof(fc.string(), fc.constantFrom('INFO', 'x', 'true'), fc.anything()))) }, { requiredKeys: [] }),
        (body) => {
          try {
            const document = parseRulesDocument(JSON.stringify({ apiVersion: 'bulwark.dev/v1alpha1', kind: 'AuditRules', ...body }), 'fuzz.json');
            createDetector({ builtin: false, documents: [{ document, source: 'fuzz.json' }] });
          } catch (error) {
            assert.ok(error instanceof AuditError, String(error));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
