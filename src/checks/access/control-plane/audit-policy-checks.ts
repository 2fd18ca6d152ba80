// The contents of audit policies, as CIS 3.2.x asks: Secrets, ConfigMaps and TokenReviews recorded
// at Metadata only (their bodies are credentials), changes to pods, deployments and RBAC and the use
// of pods/exec, attach, port-forward and proxies recorded, a final rule that records what no other
// rule names, and no stage dropped that carries the outcome. Read from audit.k8s.io Policy files in
// the scan and from the file the API server names, as Kubescape's host sensor copies it
// (ControlPlaneInfo `auditPolicyFile`). The evaluator is audit-policy.ts.
import { formatPath, type Control, type FieldPath, type KubeObject } from '../../../core/index.ts';
import { parseYamlStream } from '../../../load/yaml.ts';
import type { Check, CheckFixtures, Violation } from '../../check.ts';
import {
  catchAll,
  describeRequest,
  describeTarget,
  findRequest,
  MAX_MATCH_TESTS,
  parseAuditPolicy,
  STANDARD_VERBS,
  typicalDecision,
  type AuditPolicy,
  type ParsedPolicy,
  type Target,
} from './audit-policy.ts';

type Fields = Readonly<Record<string, unknown>>;

function fields(value: unknown): Fields | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined;
}

/** Where the host sensor keeps the bytes of the file `--audit-policy-file` names. */
const HOST_SENSOR_CONTENT: FieldPath = ['data', 'APIServerInfo', 'auditPolicyFile', 'content'];
/** Audit policies are a few kilobytes; a larger embedded file is not decoded. */
export const MAX_EMBEDDED_BYTES = 256 * 1024;

interface PolicySource {
  /** The parsed policy document. */
  readonly document: Fields;
  /** Prefix for messages about an embedded file (`audit policy /etc/…: `), empty for a scanned file. */
  readonly prefix: string;
  /** Where violations point: the field inside a scanned Policy, or the embedded content as a whole. */
  at(path: FieldPath): FieldPath;
}

function isAuditPolicy(value: Fields): boolean {
  const apiVersion = value['apiVersion'];
  return value['kind'] === 'Policy' && typeof apiVersion === 'string' && apiVersion.startsWith('audit.k8s.io/');
}

const parsedCache = new WeakMap<object, { source: PolicySource; parsed: ParsedPolicy } | null>();

/** The audit policy an object is, or carries; parsed once per object for every check here. */
function policyOf(object: KubeObject): { source: PolicySource; parsed: ParsedPolicy } | undefined {
  // Every object of a scan comes through here, once per audit check: the others are answered
  // before the cache, which would otherwise hold an entry for each of them.
  if (object.kind !== 'Policy' && object.kind !== 'ControlPlaneInfo') return undefined;
  const cached = parsedCache.get(object.raw);
  if (cached !== undefined) return cached ?? undefined;
  let found: { source: PolicySource; parsed: ParsedPolicy } | null = null;
  if (object.kind === 'Policy' && isAuditPolicy(object.raw)) {
    found = { source: { document: object.raw, prefix: '', at: (path) => path }, parsed: parseAuditPolicy(object.raw) };
  } else if (object.kind === 'ControlPlaneInfo' && object.apiVersion.startsWith('hostdata.kubescape.cloud/')) {
    const file = fields(fields(fields(object.raw['data'])?.['APIServerInfo'])?.['auditPolicyFile']);
    const content = file?.['content'];
    if (typeof content === 'string' && content.length <= (MAX_EMBEDDED_BYTES * 4) / 3 + 4) {
      const parsed = parseYamlStream(Buffer.from(content, 'base64').toString('utf8'), `${object.source.file}#auditPolicyFile`);
      const document = fields(parsed.documents[0]?.value);
      if (parsed.errors.length === 0 && document !== undefined && isAuditPolicy(document)) {
        const path = file?.['path'];
        found = {
          source: { document, prefix: `audit policy ${typeof path === 'string' ? path : '(unnamed file)'}: `, at: () => HOST_SENSOR_CONTENT },
          parsed: parseAuditPolicy(document),
        };
      }
    }
  }
  parsedCache.set(object.raw, found);
  return found ?? undefined;
}

const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);

/** Says what a rule could not decide (its search reached the bound), at a path of the policy. */
type Inconclusive = (path: FieldPath, message: string) => void;

interface AuditCheckDefinition extends Omit<Control, 'area'> {
  /** Judges a valid policy; invalid ones are audit-policy-invalid's alone. */
  rule(policy: AuditPolicy, source: PolicySource, inconclusive: Inconclusive): Violation[];
  fixtures: CheckFixtures;
}

function auditCheck(definition: AuditCheckDefinition): Check {
  const { rule, ...control } = definition;
  return {
    ...control,
    area: 'observability',
    evaluate({ object, inconclusive }) {
      const found = policyOf(object);
      if (found === undefined || !found.parsed.ok) return NO_VIOLATIONS;
      const note: Inconclusive = (path, message) => inconclusive?.(found.source.at(path), `${found.source.prefix}${message}`);
      const violations = rule(found.parsed.policy, found.source, note);
      return violations.length === 0 ? NO_VIOLATIONS : violations.map((v) => ({ path: found.source.at(v.path), message: `${found.source.prefix}${v.message}` }));
    },
  };
}

/** `response`: only the response carries the secret (a TokenRequest's body holds audiences, not a token). */
const SENSITIVE: readonly { target: Target; why: string; response?: true }[] = [
  { target: { group: '', resource: 'secrets', subresource: '', namespaced: true }, why: 'Secret values' },
  { target: { group: '', resource: 'configmaps', subresource: '', namespaced: true }, why: 'ConfigMap contents, often credentials' },
  { target: { group: 'authentication.k8s.io', resource: 'tokenreviews', subresource: '', namespaced: false }, why: 'the bearer tokens under review' },
  { target: { group: '', resource: 'serviceaccounts', subresource: 'token', namespaced: true }, why: 'the ServiceAccount tokens issued', response: true },
];
/** Verbs whose request carries the object; at Request level only these record a body. */
const BODY_VERBS = new Set(['create', 'update', 'patch']);

const WRITE_VERBS = ['create', 'update', 'patch', 'delete', 'deletecollection'] as const;
const COVERAGE: readonly { target: Target; verbs: readonly string[]; what: string }[] = [
  { target: { group: '', resource: 'secrets', subresource: '', namespaced: true }, verbs: STANDARD_VERBS, what: 'access to Secrets' },
  { target: { group: '', resource: 'configmaps', subresource: '', namespaced: true }, verbs: STANDARD_VERBS, what: 'access to ConfigMaps' },
  { target: { group: 'authentication.k8s.io', resource: 'tokenreviews', subresource: '', namespaced: false }, verbs: ['create'], what: 'TokenReviews' },
  { target: { group: '', resource: 'pods', subresource: '', namespaced: true }, verbs: WRITE_VERBS, what: 'changes to pods' },
  { target: { group: 'apps', resource: 'deployments', subresource: '', namespaced: true }, verbs: WRITE_VERBS, what: 'changes to Deployments' },
  ...(['exec', 'attach', 'portforward', 'proxy'] as const).map((subresource) => ({
    target: { group: '', resource: 'pods', subresource, namespaced: true },
    verbs: ['create', 'get'],
    what: `pods/${subresource}`,
  })),
  { target: { group: '', resource: 'services', subresource: 'proxy', namespaced: true }, verbs: ['create', 'get'], what: 'services/proxy' },
  ...(['roles', 'rolebindings'] as const).map((resource) => ({ target: { group: 'rbac.authorization.k8s.io', resource, subresource: '', namespaced: true }, verbs: WRITE_VERBS, what: 'RBAC changes' })),
  ...(['clusterroles', 'clusterrolebindings'] as const).map((resource) => ({ target: { group: 'rbac.authorization.k8s.io', resource, subresource: '', namespaced: false }, verbs: WRITE_VERBS, what: 'RBAC changes' })),
];

const CIS = ['3.2.2'];
const NSA = ['Audit logging and threat detection: Kubernetes native audit logging configuration'];
const KUBESCAPE = ['C-0161'];

function policy(rules: string, extra = ''): string {
  return `apiVersion: audit.k8s.io/v1\nkind: Policy\n${extra}rules:\n${rules}`;
}

/** A policy that meets every check here. */
const GOOD_RULES = `- level: None
  users: ["system:kube-proxy"]
  verbs: [watch]
  resources: [{group: "", resources: [endpoints, services]}]
- level: Metadata
  resources:
  - {group: "", resources: [secrets, configmaps, serviceaccounts/token]}
  - {group: authentication.k8s.io, resources: [tokenreviews]}
- level: RequestResponse
  resources:
  - {group: "", resources: [pods/exec, pods/attach, pods/portforward, pods/proxy, services/proxy]}
  - {group: rbac.authorization.k8s.io}
- level: Request
  verbs: [create, update, patch, delete, deletecollection]
- level: Metadata
`;
const GOOD = policy(GOOD_RULES, 'omitStages: [RequestReceived]\n');

const DEFINITIONS: AuditCheckDefinition[] = [
  {
    id: 'audit-policy-logs-secrets',
    title: 'Audit policy records Secret, ConfigMap or token contents',
    severity: 'high',
    frameworks: { cis: CIS, nsa: NSA, mitre: ['T1552'], kubescape: KUBESCAPE },
    description:
      'At level `Request` the audit log holds the body of each create, update and patch; at `RequestResponse` also what every read returns. For Secrets, ' +
      'ConfigMaps, TokenReviews and ServiceAccount token requests that body is the credential: the audit log, usually shipped to a log platform with wide read ' +
      'access, becomes a copy of every secret of the cluster. Rules are applied as the API server applies them (first match wins), so a broad `Request` rule ' +
      'after a `Metadata` rule for Secrets is fine; the finding names the rule that records a body, and a request that reaches it. High: it defeats RBAC on Secrets.',
    remediation: 'Put a rule with `level: Metadata` for `secrets`, `configmaps`, `serviceaccounts/token` (group "") and `tokenreviews` (group authentication.k8s.io) before any rule that records bodies.',
    rule(auditPolicy, _source, inconclusive) {
      const out: Violation[] = [];
      for (const { target, why, response } of SENSITIVE) {
        const verbs = target.resource === 'tokenreviews' || target.subresource === 'token' ? ['create'] : STANDARD_VERBS;
        const search = findRequest(auditPolicy, target, verbs, (decision, verb) => decision.level === 'RequestResponse' || (response !== true && decision.level === 'Request' && BODY_VERBS.has(verb)));
        const found = search.found;
        if (found === undefined) {
          if (!search.complete) {
            inconclusive(['rules'], `the search for a request on ${describeTarget(target)} whose body is recorded stopped after ${MAX_MATCH_TESTS.toLocaleString('en-US')} rule tests: the rules were not fully checked for it (split the policy's rules or name fewer users, groups, namespaces and objects)`);
          }
          continue;
        }
        const rule = found.decision.rule!;
        out.push({
          path: ['rules', rule.index, 'level'],
          message: `rules[${rule.index}] records ${describeTarget(target)} at level ${rule.level} (for example ${describeRequest(found.request)}): the audit log keeps ${why}`,
        });
      }
      return out;
    },
    fixtures: {
      pass: [GOOD],
      fail: [
        policy('- level: Metadata\n  resources: [{group: "", resources: [configmaps], resourceNames: [controller-leader]}]\n- level: Request\n  namespaces: [kube-system]\n  resources: [{group: "", resources: [configmaps]}]\n- level: Metadata\n'),
        policy('- level: RequestResponse\n'),
      ],
    },
  },
  {
    id: 'audit-policy-missing-coverage',
    title: 'Audit policy does not record security-relevant requests',
    severity: 'medium',
    frameworks: { cis: CIS, nsa: NSA, mitre: ['T1562.008'], kubescape: KUBESCAPE },
    description:
      'CIS 3.2.2 asks that the audit log shows access to Secrets, ConfigMaps and TokenReviews, changes to pods and Deployments, and the use of `pods/exec`, ' +
      '`pods/portforward`, `pods/proxy` and `services/proxy`; RBAC changes are how an intruder keeps access. Each is asked for a typical request: an ' +
      'authenticated user, namespace and object that no rule names. A rule silencing a chosen system user or namespace is noise reduction and is not reported; ' +
      'a request that reaches a `None` rule, or no rule, is. Medium: without these records an incident cannot be reconstructed.',
    remediation: 'Add rules (at `Metadata` for Secrets, ConfigMaps and TokenReviews, `Request` or `RequestResponse` for the others) before any `None` rule that catches them, or end the policy with `- level: Metadata`.',
    rule(auditPolicy) {
      const out: Violation[] = [];
      const reported = new Set<string>();
      for (const { target, verbs, what } of COVERAGE) {
        for (const verb of verbs) {
          const decision = typicalDecision(auditPolicy, target, verb);
          if (decision.level !== 'None') continue;
          const key = `${what}\u0000${decision.rule?.index ?? -1}`;
          if (reported.has(key)) break;
          reported.add(key);
          out.push({
            path: decision.rule === undefined ? ['rules'] : ['rules', decision.rule.index, 'level'],
            message: `${what} (${verb} ${describeTarget(target)}) ${decision.rule === undefined ? 'match no rule' : `match rules[${decision.rule.index}] at level None`}: they are not recorded`,
          });
          break;
        }
      }
      return out;
    },
    fixtures: {
      pass: [GOOD],
      fail: [
        policy('- level: Metadata\n  resources: [{group: "", resources: [secrets, configmaps, pods]}]\n'),
        policy('- level: None\n  resources: [{group: rbac.authorization.k8s.io}]\n- level: Metadata\n'),
      ],
    },
  },
  {
    id: 'audit-policy-no-catch-all',
    title: 'Audit policy has no final rule recording every other request',
    severity: 'low',
    frameworks: { cis: ['3.2.1', ...CIS], nsa: NSA, kubescape: KUBESCAPE },
    description:
      'A request no rule matches is not recorded at all, and neither are the requests a rule without any condition at level `None` catches. New resources and API groups ' +
      '(CRDs, future built-ins) are then invisible in the audit log unless someone remembers to name them. Low: the named resources may still be covered.',
    remediation: 'End the policy with `- level: Metadata` (a rule without conditions), after the rules that silence noise.',
    rule(auditPolicy) {
      const rule = catchAll(auditPolicy);
      if (rule === undefined) return [{ path: ['rules'], message: 'no rule matches every request: requests to resources no rule names are not recorded' }];
      if (rule.level === 'None') return [{ path: ['rules', rule.index, 'level'], message: `rules[${rule.index}] matches every remaining request at level None: requests no earlier rule names are not recorded` }];
      return [];
    },
    fixtures: {
      pass: [GOOD],
      fail: [policy('- level: Metadata\n  resources: [{group: ""}, {group: apps}]\n'), policy('- level: Metadata\n  resources: [{group: ""}]\n- level: None\n')],
    },
  },
  {
    id: 'audit-policy-omits-outcome',
    title: 'Audit policy drops the stages that record a request\'s outcome',
    severity: 'medium',
    frameworks: { cis: CIS, nsa: NSA, mitre: ['T1562.008'], kubescape: KUBESCAPE },
    description:
      '`omitStages` with `ResponseComplete` drops the event that says how a request ended (the status code, and at `RequestResponse` the response); with `Panic` the ' +
      'record of requests that crashed the handler. Omitting `RequestReceived` (recorded again at completion) or `ResponseStarted` (long-running requests only) loses nothing. ' +
      'Medium: denied and failed attempts — the traces of probing — disappear.',
    remediation: 'Keep `omitStages` to `RequestReceived` (and `ResponseStarted` if watches are too noisy), at the policy level and in every rule.',
    rule(auditPolicy) {
      const out: Violation[] = [];
      const lost = (stages: readonly string[]) => stages.filter((stage) => stage === 'ResponseComplete' || stage === 'Panic');
      const top = lost(auditPolicy.omitStages);
      if (top.length > 0) out.push({ path: ['omitStages'], message: `the policy omits ${top.join(' and ')} for every request` });
      for (const rule of auditPolicy.rules) {
        const own = lost(rule.omitStages);
        if (own.length > 0 && rule.level !== 'None') out.push({ path: ['rules', rule.index, 'omitStages'], message: `rules[${rule.index}] omits ${own.join(' and ')}` });
      }
      return out;
    },
    fixtures: {
      pass: [GOOD, policy('- level: Metadata\n  omitStages: [RequestReceived, ResponseStarted]\n')],
      fail: [policy('- level: Metadata\n', 'omitStages: [RequestReceived, ResponseComplete]\n'), policy('- level: Metadata\n  omitStages: [Panic]\n')],
    },
  },
];

export const auditPolicyInvalidCheck: Check = {
  id: 'audit-policy-invalid',
  title: 'Audit policy is not valid',
  area: 'observability',
  severity: 'high',
  frameworks: { cis: ['3.2.1'], nsa: NSA, kubescape: KUBESCAPE },
  description:
    'The API server refuses to start with an audit policy it cannot load (an unknown level or stage, a rule mixing resources and nonResourceURLs, a malformed wildcard); ' +
    'a policy that does not parse means either a control plane that does not come up or — where the file is swapped at runtime — one that audits with something else. ' +
    'High: auditing is the control that tells what happened. The other audit checks judge valid policies only.',
  remediation: 'Fix the field named; `kube-apiserver --audit-policy-file=FILE` prints the same error at startup.',
  evaluate({ object }) {
    const found = policyOf(object);
    if (found === undefined || found.parsed.ok) return NO_VIOLATIONS;
    const { source } = found;
    return found.parsed.problems.map((problem) => ({ path: source.at(problem.path), message: `${source.prefix}${formatPath(problem.path)}: ${problem.message}` }));
  },
  fixtures: {
    pass: [GOOD],
    fail: [policy('- level: Everything\n'), policy('- level: Metadata\n  resources: [{group: ""}]\n  nonResourceURLs: ["/healthz*"]\n'), 'apiVersion: audit.k8s.io/v1\nkind: Policy\n'],
  },
};

export const auditPolicyChecks: readonly Check[] = [auditPolicyInvalidCheck, ...DEFINITIONS.map(auditCheck)];
