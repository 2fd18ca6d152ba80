// Evaluation of policies over objects as the API server admits them: matching (rules, selectors,
// exclusions, scope, names, matchPolicy), bindings and params, match conditions, variables,
// messages, failurePolicy, audit annotations, and the findings that result.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { repoRoot } from '../../test/support/shared.ts';
import { objectsFromYaml } from '../load/testing/objects.ts';
import { kubeObject } from '../load/testing/yaml-arbitrary.ts';
import { compilePolicySet } from './compile.ts';
import { evaluatePolicyRequest, evaluatePolicySet, type PolicyEvaluationOptions } from './evaluate.ts';
import { violationsToFindings } from './findings.ts';
import { loadPolicySet } from './load.ts';

function policy(name: string, spec: string, annotations = ''): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: ${name}
${annotations}spec:
${spec}---
`;
}

const DEPLOYMENTS_RULE = `  matchConstraints:
    resourceRules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["deployments"]
`;

function deployment(name: string, namespace: string | null, extra = '', labels = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${namespace === null ? '' : `  namespace: ${namespace}\n`}${labels === '' ? '' : `  labels: ${labels}\n`}spec:
  replicas: 3
${extra}---
`;
}

function run(policies: string, objects: string, options: PolicyEvaluationOptions = {}) {
  const compiled = compilePolicySet(objectsFromYaml(policies, 'policies.yaml'));
  assert.deepEqual(
    compiled.diagnostics.filter((d) => d.level === 'error').map((d) => d.message),
    [],
  );
  const targets = objectsFromYaml(objects, 'objects.yaml');
  return { ...evaluatePolicySet(compiled.set, targets, { collectResults: true, ...options }), targets };
}

/** `policy object → outcome` lines, for compact assertions. */
function outcomes(result: ReturnType<typeof run>): string[] {
  return result.results.map((r) => `${r.policy} ${r.object.kind}/${r.object.name} ${r.outcome}`);
}

describe('matching', () => {
  it('resource rules: group, version, resource, scope, names; exclusions', () => {
    const result = run(
      policy(
        'p',
        `  matchConstraints:
    resourceRules:
      - apiGroups: ["apps", ""]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["deployments", "configmaps"]
        scope: Namespaced
      - apiGroups: [""]
        apiVersions: ["*"]
        operations: ["*"]
        resources: ["namespaces"]
        resourceNames: ["prod"]
    excludeResourceRules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["*"]
        resources: ["configmaps"]
        resourceNames: ["skip-me"]
  validations:
    - expression: "false"
`,
      ),
      `${deployment('web', 'shop')}apiVersion: v1
kind: ConfigMap
metadata: {name: skip-me, namespace: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: check-me, namespace: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: prod}
---
apiVersion: v1
kind: Namespace
metadata: {name: dev}
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: shop}
`,
    );
    assert.deepEqual(outcomes(result), [
      'p Deployment/web fail',
      'p ConfigMap/skip-me skip',
      'p ConfigMap/check-me fail',
      'p Namespace/prod fail',
      'p Namespace/dev skip',
      'p Service/svc skip',
    ]);
  });

  it('matchPolicy Equivalent matches another version of the same resource; Exact does not', () => {
    const rules = (matchPolicy: string) => `  matchConstraints:
    matchPolicy: ${matchPolicy}
    resourceRules:
      - apiGroups: ["extensions"]
        apiVersions: ["v1beta1"]
        operations: ["CREATE"]
        resources: ["deployments"]
  validations:
    - expression: "false"
`;
    const result = run(policy('equivalent', rules('Equivalent')) + policy('exact', rules('Exact')), deployment('web', 'shop'));
    assert.deepEqual(outcomes(result), ['equivalent Deployment/web fail', 'exact Deployment/web skip']);
  });

  it('namespaceSelector reads Namespace objects of the input, or the name label of others', () => {
    const result = run(
      policy(
        'p',
        `  matchConstraints:
    namespaceSelector:
      matchLabels: {env: prod}
    resourceRules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["deployments"]
  validations:
    - expression: "false"
`,
      ) +
        policy(
          'by-name',
          `  matchConstraints:
    namespaceSelector:
      matchExpressions: [{key: kubernetes.io/metadata.name, operator: NotIn, values: [kube-system]}]
    resourceRules:
      - apiGroups: ["*"]
        apiVersions: ["*"]
        operations: ["*"]
        resources: ["*"]
  validations:
    - expression: "false"
`,
        ),
      `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {env: prod}}
---
${deployment('web', 'shop')}${deployment('other', 'unknown')}${deployment('system', 'kube-system')}apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cluster-wide}
`,
    );
    // Policies run in name order.
    assert.deepEqual(outcomes(result), [
      'by-name Namespace/shop fail',
      'p Namespace/shop skip',
      'by-name Deployment/web fail',
      'p Deployment/web fail',
      'by-name Deployment/other fail',
      'p Deployment/other skip',
      'by-name Deployment/system skip',
      'p Deployment/system skip',
      'by-name ClusterRole/cluster-wide fail',
      'p ClusterRole/cluster-wide skip',
    ]);
  });

  it('objectSelector reads the object labels; custom resources map through their CRD', () => {
    const result = run(
      policy(
        'p',
        `  matchConstraints:
    objectSelector:
      matchExpressions: [{key: tier, operator: Exists}]
    resourceRules:
      - apiGroups: ["example.com"]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["widgetries"]
  validations:
    - expression: "false"
`,
      ),
      `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgetries.example.com}
spec:
  group: example.com
  scope: Cluster
  names: {kind: Widget, plural: widgetries}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: labelled, labels: {tier: a}}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: plain}
`,
    );
    assert.deepEqual(outcomes(result).slice(1), ['p Widget/labelled fail', 'p Widget/plain skip']);
  });
});

describe('bindings and params', () => {
  const replicaPolicy = policy(
    'limit',
    `  paramKind: {apiVersion: v1, kind: ConfigMap}
${DEPLOYMENTS_RULE}  validations:
    - expression: "object.spec.replicas <= int(params.data.max)"
      messageExpression: "'at most ' + params.data.max"
`,
  );
  const params = `apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: shop, labels: {kind: limit}}
data: {max: "2"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: limits, namespace: batch, labels: {kind: limit}}
data: {max: "10"}
---
`;
  const binding = (paramRef: string, extra = '') => `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: limit-binding}
spec:
  policyName: limit
  validationActions: [Deny]
${paramRef}${extra}---
`;

  it('paramRef by name, in the object namespace', () => {
    const result = run(replicaPolicy + params + binding('  paramRef: {name: limits}\n'), deployment('web', 'shop') + deployment('jobs', 'batch'));
    assert.deepEqual(outcomes(result), ['limit Deployment/web fail', 'limit Deployment/jobs pass']);
    assert.equal(result.violations[0]?.message, 'at most 2');
    assert.equal(result.violations[0]?.binding, 'limit-binding');
    assert.equal(result.violations[0]?.param?.namespace, 'shop');
  });

  it('paramRef by selector in a fixed namespace evaluates once per param', () => {
    const result = run(
      replicaPolicy + params + binding('  paramRef:\n    namespace: batch\n    selector: {matchLabels: {kind: limit}}\n'),
      deployment('web', 'shop'),
    );
    assert.deepEqual(outcomes(result), ['limit Deployment/web pass']);
  });

  it('parameterNotFoundAction: Deny is an error per failurePolicy, Allow skips', () => {
    const deny = run(replicaPolicy + params + binding('  paramRef: {name: limits, parameterNotFoundAction: Deny}\n'), deployment('web', 'elsewhere'));
    assert.deepEqual(outcomes(deny), ['limit Deployment/web error']);
    assert.match(deny.violations[0]?.message ?? '', /no params found for policy binding with `Deny` parameterNotFoundAction/);
    const allow = run(replicaPolicy + params + binding('  paramRef: {name: limits, parameterNotFoundAction: Allow}\n'), deployment('web', 'elsewhere'));
    assert.deepEqual(outcomes(allow), ['limit Deployment/web skip']);
    const ignore = run(replicaPolicy.replace('spec:\n', 'spec:\n  failurePolicy: Ignore\n') + params + binding('  paramRef: {name: limits}\n'), deployment('web', 'elsewhere'));
    assert.deepEqual(ignore.violations, []);
  });

  it('a policy without binding applies to everything with Deny; with params, once per param object', () => {
    const plain = run(policy('p', `${DEPLOYMENTS_RULE}  validations:\n    - expression: "false"\n`), deployment('web', 'shop'));
    assert.deepEqual(plain.violations.map((v) => [v.binding, v.actions]), [[null, ['Deny']]]);
    const withParams = run(replicaPolicy + params, deployment('web', 'shop'));
    assert.deepEqual(withParams.violations.map((v) => v.message), ['at most 2']);
    const noParams = run(replicaPolicy, deployment('web', 'shop'));
    assert.deepEqual(noParams.violations, []);
    assert.match(noParams.diagnostics[0]?.message ?? '', /has paramKind ConfigMap but no binding and no ConfigMap objects were found/);
  });

  it('binding matchResources narrow the policy; validationActions are carried to violations', () => {
    const result = run(
      replicaPolicy +
        params +
        binding(
          '  paramRef: {name: limits}\n',
          '  matchResources:\n    namespaceSelector:\n      matchLabels: {kubernetes.io/metadata.name: shop}\n',
        ).replace('[Deny]', '[Warn, Audit]'),
      deployment('web', 'shop') + deployment('other', 'batch'),
    );
    assert.deepEqual(outcomes(result), ['limit Deployment/web fail', 'limit Deployment/other skip']);
    assert.deepEqual(result.violations[0]?.actions, ['Warn', 'Audit']);
  });
});

describe('expressions', () => {
  it('match conditions: false skips even when another errors; an error alone goes by failurePolicy', () => {
    const spec = (conditions: string, failurePolicy = 'Fail') => `  failurePolicy: ${failurePolicy}
${DEPLOYMENTS_RULE}  matchConditions:
${conditions}  validations:
    - expression: "false"
`;
    const skip = run(policy('p', spec('    - {name: err, expression: "object.nope == 1"}\n    - {name: never, expression: "false"}\n')), deployment('web', 'shop'));
    assert.deepEqual(outcomes(skip), ['p Deployment/web skip']);
    const error = run(policy('p', spec('    - {name: err, expression: "object.nope == 1"}\n')), deployment('web', 'shop'));
    assert.deepEqual(outcomes(error), ['p Deployment/web error']);
    assert.match(error.violations[0]?.message ?? '', /failed to evaluate match condition "err"/);
    const ignored = run(policy('p', spec('    - {name: err, expression: "object.nope == 1"}\n', 'Ignore')), deployment('web', 'shop'));
    assert.deepEqual(outcomes(ignored), ['p Deployment/web pass']);
  });

  it('variables are lazy: one that fails matters only when read', () => {
    const result = run(
      policy(
        'p',
        `${DEPLOYMENTS_RULE}  variables:
    - {name: broken, expression: "object.spec.nope"}
    - {name: replicas, expression: "object.spec.replicas"}
    - {name: double, expression: "variables.replicas * 2"}
  validations:
    - expression: "variables.double == 6"
    - expression: "variables.broken > 0"
`,
      ),
      deployment('web', 'shop'),
    );
    assert.deepEqual(
      result.violations.map((v) => [v.validationIndex, v.kind]),
      [[1, 'error']],
    );
    assert.match(result.violations[0]?.message ?? '', /expression 'variables.broken > 0' resulted in error: .*variable "broken"/);
  });

  it('messages: messageExpression, then message, then the failed expression', () => {
    const result = run(
      policy(
        'p',
        `${DEPLOYMENTS_RULE}  validations:
    - {expression: "false", messageExpression: "'replicas: ' + string(object.spec.replicas)", message: unused}
    - {expression: "false", messageExpression: "object.nope", message: fallback}
    - {expression: "false", messageExpression: "'  '", message: blank}
    - {expression: "1 > 2"}
`,
      ),
      deployment('web', 'shop'),
    );
    assert.deepEqual(
      result.violations.map((v) => v.message),
      ['replicas: 3', 'fallback', 'blank', 'failed expression: 1 > 2'],
    );
  });

  it('a non-bool validation result is an error; failurePolicy Ignore drops errors', () => {
    const fail = run(policy('p', `${DEPLOYMENTS_RULE}  validations:\n    - expression: "object.spec.replicas"\n`), deployment('web', 'shop'));
    assert.match(fail.violations[0]?.message ?? '', /must evaluate to bool, got int/);
    const ignore = run(
      policy('p', `  failurePolicy: Ignore\n${DEPLOYMENTS_RULE}  validations:\n    - expression: "object.spec.nope > 1"\n    - expression: "false"\n`),
      deployment('web', 'shop'),
    );
    assert.deepEqual(ignore.violations.map((v) => v.validationIndex), [1]);
  });

  it('request, namespaceObject, oldObject as the API server presents a CREATE', () => {
    const result = run(
      policy(
        'p',
        `${DEPLOYMENTS_RULE}  validations:
    - expression: >-
        request.operation == 'CREATE' && request.kind.kind == 'Deployment' && request.resource.resource == 'deployments'
        && request.namespace == 'shop' && request.userInfo.username == 'alice' && oldObject == null
        && namespaceObject.metadata.name == 'shop' && namespaceObject.metadata.labels['team'] == 'web'
`,
      ),
      `apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: web}}\n---\n${deployment('web', 'shop')}`,
      { userInfo: { username: 'alice' } },
    );
    assert.deepEqual(result.violations, []);
    assert.deepEqual(outcomes(result), ['p Namespace/shop skip', 'p Deployment/web pass']);
  });

  it('audit annotations are recorded under the policy name; null skips', () => {
    const result = run(
      policy(
        'p',
        `${DEPLOYMENTS_RULE}  auditAnnotations:
    - {key: replicas, valueExpression: "string(object.spec.replicas)"}
    - {key: never, valueExpression: "null"}
`,
      ),
      deployment('web', 'shop'),
    );
    assert.deepEqual(result.auditAnnotations.map((a) => [a.key, a.value]), [['p/replicas', '3']]);
  });

  it('a runaway expression is stopped by the cost budget and reported per failurePolicy', () => {
    const result = run(
      policy('p', `${DEPLOYMENTS_RULE}  validations:\n    - expression: "object.spec.items.all(x, object.spec.items.all(y, object.spec.items.all(z, true)))"\n`),
      deployment('web', 'shop', `  items: [${Array.from({ length: 300 }, (_, i) => i).join(', ')}]\n`),
      { costLimit: 100_000 },
    );
    assert.equal(result.violations.length, 1);
    assert.match(result.violations[0]?.message ?? '', /running out of cost budget/);
    const slow = run(
      policy('p', `${DEPLOYMENTS_RULE}  validations:\n    - expression: "object.spec.items.all(x, object.spec.items.all(y, object.spec.items.all(z, true)))"\n`),
      deployment('web', 'shop', `  items: [${Array.from({ length: 300 }, (_, i) => i).join(', ')}]\n`),
      { costLimit: Number.MAX_SAFE_INTEGER, runtimeBudget: Number.MAX_SAFE_INTEGER, timeLimitMs: 30 },
    );
    assert.match(slow.violations[0]?.message ?? '', /running out of time/);
  });
});

describe('findings', () => {
  it('control policy/<name>, the policy severity and area, located at the fieldPath', () => {
    const text = `${deployment('web', 'shop')}`;
    const result = run(
      policy(
        'replicas',
        `${DEPLOYMENTS_RULE}  validations:\n    - {expression: "object.spec.replicas <= 2", message: too many, fieldPath: spec.replicas}\n`,
        '  annotations: {bulwark.dev/severity: high, bulwark.dev/area: compute}\n',
      ),
      text,
    );
    const [finding] = violationsToFindings(result.violations);
    assert.equal(finding?.control, 'policy/replicas');
    assert.equal(finding?.severity, 'high');
    assert.equal(finding?.area, 'compute');
    assert.equal(finding?.message, 'too many');
    assert.deepEqual(finding?.location, { file: 'objects.yaml', line: 7, column: 3, path: 'spec.replicas' });
    assert.deepEqual(finding?.object, { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' });
  });

  it('reports identical violations from several bindings once', () => {
    const p = policy('p', `${DEPLOYMENTS_RULE}  validations:\n    - expression: "false"\n`);
    const bindings = ['a', 'b']
      .map((name) => `apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata: {name: ${name}}\nspec: {policyName: p, validationActions: [Deny]}\n---\n`)
      .join('');
    const result = run(p + bindings, deployment('web', 'shop'));
    assert.equal(result.violations.length, 2);
    assert.equal(violationsToFindings(result.violations).length, 1);
  });
});

describe('fuzzing', () => {
  it('evaluates the example policies over arbitrary Kubernetes-shaped objects without throwing', async () => {
    const { set } = await loadPolicySet(['examples/policies'], { cwd: repoRoot });
    assert.ok(set.policies.length >= 5);
    fc.assert(
      fc.property(fc.array(kubeObject, { minLength: 1, maxLength: 4 }), (raws) => {
        const objects = raws.map((raw, i) => {
          const r = raw as Record<string, unknown> & { apiVersion: string; kind: string; metadata: { name: string; namespace: string } };
          return {
            apiVersion: r.apiVersion,
            kind: r.kind,
            namespace: r.metadata.namespace,
            name: r.metadata.name,
            raw: r,
            source: { file: 'fuzz.yaml', document: i, line: 1, column: 1 },
            positions: { locate: () => ({ line: 1, column: 1 }) },
          };
        });
        const result = evaluatePolicySet(set, objects, { collectResults: true, timeLimitMs: 200 });
        for (const v of result.violations) assert.ok(typeof v.message === 'string' && v.message.length > 0);
        assert.equal(result.results.length, objects.length * set.policies.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('evaluatePolicyRequest (the webhook)', () => {
  const POLICIES = `${policy(
    'keep-team',
    `  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [UPDATE], resources: [configmaps]}
  validations:
    - expression: "!has(oldObject.metadata.labels) || !('team' in oldObject.metadata.labels) || (has(object.metadata.labels) && object.metadata.labels[?'team'] == oldObject.metadata.labels[?'team'])"
      messageExpression: "'the team label may not change from ' + oldObject.metadata.labels['team']"
`,
  )}${policy(
    'protected',
    `  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [DELETE], resources: [configmaps]}
    objectSelector: {matchLabels: {protected: "true"}}
  validations:
    - expression: "object == null && oldObject.metadata.name != ''"
    - expression: "false"
      message: protected objects may not be deleted
`,
  )}${policy(
    'no-exec',
    `  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CONNECT], resources: [pods/exec]}
  validations:
    - expression: "request.subResource == 'exec' && object.kind == 'PodExecOptions' && request.name == 'web' && !object.stdin"
      message: interactive exec is not allowed
`,
  )}${policy(
    'ephemeral-only',
    `  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: ["*"], resources: ["pods/*"]}
  validations:
    - expression: "request.subResource == 'ephemeralcontainers'"
`,
  )}`;
  const { set } = compilePolicySet(objectsFromYaml(POLICIES, 'policies.yaml'));
  const configMap = (team: string, extra: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'shop', labels: { team, ...extra } }, data: { a: '1' } });
  const subject = (raw: Record<string, unknown>) => ({
    apiVersion: String(raw['apiVersion']),
    kind: String(raw['kind']),
    namespace: 'shop',
    name: String((raw['metadata'] as Record<string, unknown> | undefined)?.['name'] ?? 'web'),
    raw,
    source: { file: 'admission', document: 0, line: 0, column: 0 },
    positions: { locate: () => ({ line: 0, column: 0 }) },
  });
  const info = (kind: string, resource: string) => ({ group: '', version: 'v1', kind, resource, namespaced: true, source: 'builtin' as const });
  const request = (operation: string, subResource = '', name = 'cm') => ({ operation, subResource, name, namespace: 'shop', userInfo: { username: 'alice' } });
  const messages = (result: ReturnType<typeof evaluatePolicyRequest>) => result.violations.map((v) => `${v.policy}: ${v.message}`);

  it('UPDATE sees oldObject: a label change is refused, another change is admitted', () => {
    const old = configMap('a');
    const changed = evaluatePolicyRequest(set, { subject: subject(configMap('b')), info: info('ConfigMap', 'configmaps'), subResource: '', operation: 'UPDATE', object: configMap('b'), oldObject: old, request: request('UPDATE') });
    assert.deepEqual(messages(changed), ['keep-team: the team label may not change from a']);
    const same = evaluatePolicyRequest(set, { subject: subject(configMap('a')), info: info('ConfigMap', 'configmaps'), subResource: '', operation: 'UPDATE', object: { ...configMap('a'), data: { a: '2' } }, oldObject: old, request: request('UPDATE') });
    assert.deepEqual(messages(same), []);
    const create = evaluatePolicyRequest(set, { subject: subject(configMap('b')), info: info('ConfigMap', 'configmaps'), subResource: '', operation: 'CREATE', object: configMap('b'), oldObject: null, request: request('CREATE') });
    assert.deepEqual(messages(create), [], 'the policy names UPDATE only');
  });

  it('DELETE: object is null, the objectSelector is matched against the old object', () => {
    const old = configMap('a', { protected: 'true' });
    const refused = evaluatePolicyRequest(set, { subject: subject(old), info: info('ConfigMap', 'configmaps'), subResource: '', operation: 'DELETE', object: null, oldObject: old, request: request('DELETE') });
    assert.deepEqual(messages(refused), ['protected: protected objects may not be deleted']);
    const plain = configMap('a');
    assert.deepEqual(messages(evaluatePolicyRequest(set, { subject: subject(plain), info: info('ConfigMap', 'configmaps'), subResource: '', operation: 'DELETE', object: null, oldObject: plain, request: request('DELETE') })), []);
  });

  it('CONNECT on a subresource: the options are the object, resource rules name pods/exec', () => {
    const options = (stdin: boolean) => ({ apiVersion: 'v1', kind: 'PodExecOptions', stdin, command: ['sh'] });
    const connect = (stdin: boolean) =>
      evaluatePolicyRequest(set, { subject: subject(options(stdin)), info: info('PodExecOptions', 'pods'), subResource: 'exec', operation: 'CONNECT', object: options(stdin), oldObject: null, request: request('CONNECT', 'exec', 'web') });
    assert.deepEqual(messages(connect(true)), ["ephemeral-only: failed expression: request.subResource == 'ephemeralcontainers'", 'no-exec: interactive exec is not allowed']);
    assert.deepEqual(messages(connect(false)), ["ephemeral-only: failed expression: request.subResource == 'ephemeralcontainers'"]);
    // `pods/*` names every subresource of pods, never pods itself.
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: { containers: [] } };
    assert.deepEqual(messages(evaluatePolicyRequest(set, { subject: subject(pod), info: info('Pod', 'pods'), subResource: '', operation: 'CREATE', object: pod, oldObject: null, request: request('CREATE', '', 'web') })), []);
    assert.deepEqual(messages(evaluatePolicyRequest(set, { subject: subject(pod), info: info('Pod', 'pods'), subResource: 'ephemeralcontainers', operation: 'UPDATE', object: pod, oldObject: pod, request: request('UPDATE', 'ephemeralcontainers', 'web') })), []);
  });

  it('matches as the whole-set evaluation does for a CREATE', () => {
    const objects = objectsFromYaml(`${deployment('web', 'shop')}${deployment('api', 'other')}`, 'objects.yaml');
    const policies = compilePolicySet(objectsFromYaml(policy('replicas', `${DEPLOYMENTS_RULE}  validations:\n    - expression: "object.spec.replicas < 3"\n`), 'p.yaml')).set;
    const whole = evaluatePolicySet(policies, objects);
    for (const object of objects) {
      const one = evaluatePolicyRequest(policies, { subject: object, info: { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, source: 'builtin' }, subResource: '', operation: 'CREATE', object: object.raw, oldObject: null, request: {} });
      assert.deepEqual(one.violations.map((v) => v.message), whole.violations.filter((v) => v.object === object).map((v) => v.message));
    }
  });
});
