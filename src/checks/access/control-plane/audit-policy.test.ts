// The audit policy evaluator against the API server's matching rules, its search for "some request"
// against a brute-force search over the same representatives, and the checks on embedded files.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { runChecks } from '../../../engine/run.ts';
import { objectsFromYaml } from '../../../load/testing/objects.ts';
import { parseYamlStream } from '../../../load/yaml.ts';
import { auditPolicyChecks } from './audit-policy-checks.ts';
import { decide, findRequest, OTHER, parseAuditPolicy, ruleMatches, type AuditPolicy, type AuditRequest, type AuditRule, type Target } from './audit-policy.ts';

const settings = { pss: { level: 'restricted' as const, version: 'latest' as const } };

function policyOf(yaml: string): AuditPolicy {
  const document = parseYamlStream(yaml, 'policy.yaml').documents[0]!.value as Record<string, unknown>;
  const parsed = parseAuditPolicy(document);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.policy;
}

type Resource = NonNullable<AuditRequest['resource']>;
interface RequestOverrides {
  user?: string;
  verb?: string;
  path?: string;
  resource?: Partial<Resource>;
}
const request = (over: RequestOverrides): AuditRequest => {
  const base = { user: over.user ?? 'jane', groups: ['system:authenticated'], verb: over.verb ?? 'get' };
  if (over.path !== undefined) return { ...base, path: over.path };
  return { ...base, resource: { group: '', resource: 'pods', subresource: '', namespace: 'shop', name: 'web', ...over.resource } };
};

describe('audit policy matching', () => {
  const policy = policyOf(`apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  users: ["system:kube-proxy"]
  verbs: [watch]
  resources: [{group: "", resources: [endpoints]}]
- level: Metadata
  resources: [{group: "", resources: ["*/exec"]}]
- level: Request
  resources: [{group: "", resources: ["pods/*"]}]
- level: RequestResponse
  resources: [{group: "", resources: [configmaps], resourceNames: [leader]}]
- level: None
  nonResourceURLs: ["/healthz*", /version]
- level: Metadata
  namespaces: [kube-system]
- level: RequestResponse
`);

  it('applies the first rule that matches, as the API server does', () => {
    assert.equal(decide(policy, request({ user: 'system:kube-proxy', verb: 'watch', resource: { resource: 'endpoints' } })).level, 'None');
    assert.equal(decide(policy, request({ verb: 'watch', resource: { resource: 'endpoints' } })).level, 'RequestResponse');
    assert.equal(decide(policy, request({ verb: 'create', resource: { subresource: 'exec' } })).rule?.index, 1);
    assert.equal(decide(policy, request({ resource: { subresource: 'log' } })).rule?.index, 2);
    assert.equal(decide(policy, request({ resource: { resource: 'configmaps', name: 'leader' } })).level, 'RequestResponse');
    assert.equal(decide(policy, request({ resource: { resource: 'configmaps', name: 'other', namespace: 'kube-system' } })).rule?.index, 5);
  });

  it('matches non-resource URLs by prefix wildcard only, and never against resource requests', () => {
    assert.equal(decide(policy, request({ path: '/healthz/etcd' })).rule?.index, 4);
    assert.equal(decide(policy, request({ path: '/version' })).rule?.index, 4);
    assert.equal(decide(policy, request({ path: '/versions' })).rule?.index, 6);
  });

  it('records nothing for a request no rule matches', () => {
    const narrow = policyOf('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  resources: [{group: ""}]\n');
    const decision = decide(narrow, request({ resource: { group: 'apps', resource: 'deployments' } }));
    assert.equal(decision.level, 'None');
    assert.equal(decision.rule, undefined);
  });

  it('refuses what the API server refuses, naming the field', () => {
    const bad = (yaml: string) => {
      const parsed = parseAuditPolicy(parseYamlStream(`apiVersion: audit.k8s.io/v1\nkind: Policy\n${yaml}`, 'p.yaml').documents[0]!.value as Record<string, unknown>);
      assert.ok(!parsed.ok);
      return parsed.problems.map((problem) => `${problem.path.join('.')}: ${problem.message}`);
    };
    assert.match(bad('rules: [{level: Loud}]')[0]!, /^rules\.0\.level: unknown level "Loud"/);
    assert.match(bad('rules: [{level: None, omitStages: [Done]}]')[0]!, /^rules\.0\.omitStages\.0: unknown stage/);
    assert.match(bad('rules: [{level: None, resources: [{resources: ["po*"]}]}]')[0]!, /is not a resource/);
    assert.match(bad('rules: [{level: None, resources: [{resources: ["*"], resourceNames: [x]}]}]')[0]!, /resourceNames cannot narrow/);
    assert.match(bad('rules: [{level: None, nonResourceURLs: ["healthz"]}]')[0]!, /must start with "\/"/);
    assert.match(bad('')[0]!, /^rules: the policy has no rules/);
  });

  it('never throws on any document, and answers problems or a policy', () => {
    const value = fc.letrec((tie) => ({
      any: fc.oneof({ depthSize: 'small' }, fc.constantFrom('None', 'Metadata', 'Request', 'RequestResponse', 'Panic', '*', '/x*', ''), fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('any'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('level', 'users', 'userGroups', 'verbs', 'resources', 'group', 'resourceNames', 'namespaces', 'nonResourceURLs', 'omitStages'), tie('any'), { maxKeys: 5 })),
    })).any;
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('rules', 'omitStages', 'kind'), value, { maxKeys: 3 }), (document) => {
        const parsed = parseAuditPolicy(document);
        if (parsed.ok) for (const rule of parsed.policy.rules) decide(parsed.policy, request({ verb: 'create' })) && ruleMatches(rule, request({}));
        else assert.ok(parsed.problems.length > 0 && parsed.problems.every((problem) => problem.message.length > 0));
      }),
      { numRuns: 500 },
    );
  });
});

describe('searching for a request', () => {
  const target: Target = { group: '', resource: 'secrets', subresource: '', namespaced: true };
  const universe = { users: ['u1', 'u2'], groups: ['g1', 'g2'], verbs: ['get', 'create'], namespaces: ['n1', 'n2'], names: ['a', 'b'] };
  const pick = <T,>(values: readonly T[]) => fc.subarray([...values], { maxLength: 2 });
  const rule = fc.record({
    level: fc.constantFrom('None', 'Metadata', 'Request', 'RequestResponse' as const),
    users: pick(universe.users),
    userGroups: pick(universe.groups),
    verbs: pick(universe.verbs),
    namespaces: pick(universe.namespaces),
    names: pick(universe.names),
    resource: fc.constantFrom('secrets', 'configmaps', '*', undefined),
  });

  it('finds a request exactly when one exists among every combination of values', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 5 }), (specs) => {
        const rules: AuditRule[] = specs.map((spec, index) => ({
          index,
          level: spec.level,
          users: spec.users,
          userGroups: spec.userGroups,
          verbs: spec.verbs,
          namespaces: spec.namespaces,
          nonResourceURLs: [],
          omitStages: [],
          resources: spec.resource === undefined ? [] : [{ group: '', resources: [spec.resource], resourceNames: spec.resource === '*' ? [] : spec.names }],
        }));
        const policy: AuditPolicy = { rules, omitStages: [] };
        const wanted = (level: string) => level === 'Request' || level === 'RequestResponse';
        const search = findRequest(policy, target, universe.verbs, (decision) => wanted(decision.level));
        assert.ok(search.complete);
        // Brute force: every user, every set of groups, namespace and name, with values no rule names too.
        let exists = false;
        const groupSets = [[], ['g1'], ['g2'], ['g1', 'g2']];
        for (const user of [...universe.users, 'x'])
          for (const groups of groupSets)
            for (const verb of universe.verbs)
              for (const namespace of [...universe.namespaces, 'x', ''])
                for (const name of [...universe.names, 'x', '']) {
                  const decision = decide(policy, { user, groups, verb, resource: { group: '', resource: 'secrets', subresource: '', namespace, name } });
                  if (wanted(decision.level)) exists = true;
                }
        assert.equal(search.found !== undefined, exists);
        if (search.found !== undefined) assert.ok(wanted(decide(policy, search.found.request).level));
      }),
      { numRuns: 300 },
    );
  });

  it('stands for unnamed values with a value no rule can name', () => {
    assert.ok(OTHER.includes('\u0000'));
  });
});

describe('audit policy checks on the file the API server names', () => {
  const controlPlaneInfo = (content: string | undefined) =>
    `apiVersion: hostdata.kubescape.cloud/v1beta0\nkind: ControlPlaneInfo\nmetadata: {name: cp-1}\ndata:\n  APIServerInfo:\n    auditPolicyFile: {path: /etc/kubernetes/audit.yaml${content === undefined ? '' : `, content: ${Buffer.from(content).toString('base64')}`}}\n`;

  it('judges the embedded policy, pointing at its content and naming the file', () => {
    const { findings } = runChecks(objectsFromYaml(controlPlaneInfo('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: RequestResponse\n'), 'cp.yaml'), auditPolicyChecks, { settings });
    assert.deepEqual([...new Set(findings.map((f) => f.control))], ['audit-policy-logs-secrets']);
    for (const finding of findings) {
      assert.equal(finding.location.path, 'data.APIServerInfo.auditPolicyFile.content');
      assert.match(finding.message, /^audit policy \/etc\/kubernetes\/audit\.yaml: rules\[0\] records /);
    }
  });

  it('judges nothing when the file is missing, is not a policy, or is too large', () => {
    for (const text of [controlPlaneInfo(undefined), controlPlaneInfo('kind: ConfigMap\napiVersion: v1\n'), controlPlaneInfo('a: ['), controlPlaneInfo(`apiVersion: audit.k8s.io/v1\nkind: Policy\n#${'x'.repeat(300 * 1024)}\nrules: [{level: RequestResponse}]\n`)]) {
      assert.deepEqual(runChecks(objectsFromYaml(text, 'cp.yaml'), auditPolicyChecks, { settings }).findings, []);
    }
  });

  it('leaves Policy kinds of other API groups alone', () => {
    const kyverno = 'apiVersion: kyverno.io/v1\nkind: Policy\nmetadata: {name: p, namespace: shop}\nspec: {rules: []}\n';
    assert.deepEqual(runChecks(objectsFromYaml(kyverno, 'k.yaml'), auditPolicyChecks, { settings }).findings, []);
  });

  it('names the rule and a request that leaks, never a broad rule that a Metadata rule shadows', () => {
    const text = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: Metadata
  resources: [{group: "", resources: [secrets]}]
- level: RequestResponse
  users: [admin]
  resources: [{group: "", resources: [configmaps]}]
- level: Request
`;
    const findings = runChecks(objectsFromYaml(text, 'audit.yaml'), auditPolicyChecks, { settings }).findings.filter((f) => f.control === 'audit-policy-logs-secrets');
    const messages = findings.map((f) => f.message);
    assert.equal(messages.some((m) => m.includes('records secrets')), false);
    assert.ok(messages.some((m) => /rules\[1\] records configmaps at level RequestResponse \(for example get by user admin\)/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /rules\[2\] records tokenreviews\.authentication\.k8s\.io at level Request/.test(m)), messages.join('\n'));
    assert.deepEqual(findings.map((f) => f.location.path).sort(), ['rules[1].level', 'rules[2].level']);
  });

  it('says so when the search for a leaking request reaches its bound, instead of passing the policy silently', () => {
    // Twenty Metadata rules naming many users, groups, namespaces and objects: nothing records a body,
    // but the combinations to try far exceed the bound.
    const names = (prefix: string) => `[${Array.from({ length: 12 }, (_, i) => `${prefix}${i}`).join(', ')}]`;
    const rule = (i: number) =>
      `- level: Metadata\n  users: ${names(`u${i}-`)}\n  userGroups: ${names(`g${i}-`)}\n  namespaces: ${names(`n${i}-`)}\n  resources: [{group: "", resources: [secrets, configmaps], resourceNames: ${names(`o${i}-`)}}]\n`;
    const text = `apiVersion: audit.k8s.io/v1\nkind: Policy\nmetadata: {name: wide}\nrules:\n${Array.from({ length: 20 }, (_, i) => rule(i)).join('')}- level: Metadata\n`;
    const started = performance.now();
    const run = runChecks(objectsFromYaml(text, 'audit.yaml'), auditPolicyChecks, { settings });
    assert.ok(performance.now() - started < 20_000, 'bounded');
    assert.equal(run.findings.filter((f) => f.control === 'audit-policy-logs-secrets').length, 0);
    const notes = run.diagnostics.filter((d) => d.message.startsWith('audit-policy-logs-secrets'));
    assert.ok(notes.length >= 1, JSON.stringify(run.diagnostics));
    assert.equal(notes[0]!.level, 'warning');
    assert.deepEqual(notes[0]!.location, { file: 'audit.yaml', line: 4, column: 1 }); // rules:
    assert.match(notes[0]!.message, /on Policy wide: the search for a request on secrets whose body is recorded stopped after 2,000,000 rule tests/);
    // A policy the search decides completely leaves no such note.
    const decided = runChecks(objectsFromYaml('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n', 'audit.yaml'), auditPolicyChecks, { settings });
    assert.deepEqual(decided.diagnostics, []);
  });
});
