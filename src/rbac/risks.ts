// Permissions that amount to more than they say: read every Secret, run code in other pods, act as
// another identity, rewrite the rules themselves. Each is a set of requests; a rule grants the
// permission when the authorizer would let it make one of them (rule-matches.ts decides).
import type { PolicyRule, ResourceRequest } from './model.ts';
import { ruleAllows } from './rule-matches.ts';

export type RiskId =
  | 'secrets-read'
  | 'pod-exec'
  | 'create-workloads'
  | 'escalate-bind'
  | 'impersonate'
  | 'nodes-proxy'
  | 'serviceaccount-token'
  | 'csr-approval'
  | 'webhook-config-write'
  | 'namespace-write'
  | 'persistentvolume-create';

/** Stands for "any subresource" in a pattern (impersonating `userextras/<key>` for any key). */
export const ANY_SUBRESOURCE = '\u0000any';

export interface PermissionPattern {
  readonly apiGroup: string;
  readonly resource: string;
  /** '' for the resource itself. */
  readonly subresource: string;
  readonly verbs: readonly string[];
}

export interface RiskyPermission {
  readonly id: RiskId;
  /** A few words for summaries: `read Secrets`. */
  readonly label: string;
  /** What holding it lets one do, for messages: `read every Secret`. */
  readonly consequence: string;
  readonly patterns: readonly PermissionPattern[];
  /**
   * Whether a grant limited by `resourceNames` still counts. Reading two named Secrets is the narrow
   * grant CIS asks for; impersonating one named group (`system:masters`) is not narrow at all.
   */
  readonly namedGrantCounts: boolean;
}

function patterns(apiGroup: string, resources: readonly string[], subresource: string, verbs: readonly string[]): PermissionPattern[] {
  return resources.map((resource) => ({ apiGroup, resource, subresource, verbs }));
}

const WRITE_TEMPLATE = ['create', 'update', 'patch'];
const MUTATE = ['create', 'update', 'patch', 'delete', 'deletecollection'];

export const RISKY_PERMISSIONS: readonly RiskyPermission[] = [
  {
    id: 'secrets-read',
    label: 'read Secrets',
    consequence: 'read Secrets (tokens, passwords, keys)',
    patterns: patterns('', ['secrets'], '', ['get', 'list', 'watch']),
    namedGrantCounts: false,
  },
  {
    id: 'pod-exec',
    label: 'exec into pods',
    consequence: 'run commands in running containers, with their ServiceAccount tokens and mounted secrets',
    patterns: [
      // WebSocket clients ask with `get` (the only verb checked before 1.31 for exec and attach).
      ...patterns('', ['pods'], 'exec', ['create', 'get']),
      ...patterns('', ['pods'], 'attach', ['create', 'get']),
      // An ephemeral container is a new process in the pod, with access to its volumes.
      ...patterns('', ['pods'], 'ephemeralcontainers', ['update', 'patch']),
    ],
    namedGrantCounts: true,
  },
  {
    id: 'create-workloads',
    label: 'create workloads',
    consequence: 'run any image as any ServiceAccount of the namespace and mount its Secrets (and, where Pod Security allows, escape to the node)',
    patterns: [
      ...patterns('', ['pods'], '', WRITE_TEMPLATE),
      ...patterns('', ['replicationcontrollers'], '', WRITE_TEMPLATE),
      ...patterns('apps', ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], '', WRITE_TEMPLATE),
      ...patterns('extensions', ['deployments', 'replicasets', 'daemonsets'], '', WRITE_TEMPLATE),
      ...patterns('batch', ['jobs', 'cronjobs'], '', WRITE_TEMPLATE),
    ],
    namedGrantCounts: true,
  },
  {
    id: 'escalate-bind',
    label: 'escalate or bind roles',
    consequence: 'grant themselves or others permissions they do not hold',
    patterns: patterns('rbac.authorization.k8s.io', ['roles', 'clusterroles'], '', ['escalate', 'bind']),
    namedGrantCounts: true,
  },
  {
    id: 'impersonate',
    label: 'impersonate',
    consequence: 'act as other users, groups or ServiceAccounts',
    patterns: [
      ...patterns('', ['users', 'groups', 'serviceaccounts'], '', ['impersonate']),
      ...patterns('authentication.k8s.io', ['uids'], '', ['impersonate']),
      ...patterns('authentication.k8s.io', ['userextras'], ANY_SUBRESOURCE, ['impersonate']),
    ],
    namedGrantCounts: true,
  },
  {
    id: 'nodes-proxy',
    label: 'proxy to kubelets',
    consequence: "reach the kubelet API of nodes, which runs commands in any pod of the node and bypasses audit logging",
    patterns: patterns('', ['nodes'], 'proxy', ['get', 'create', 'update', 'patch', 'delete']),
    namedGrantCounts: true,
  },
  {
    id: 'serviceaccount-token',
    label: 'mint ServiceAccount tokens',
    consequence: 'mint tokens for ServiceAccounts and act as them',
    patterns: patterns('', ['serviceaccounts'], 'token', ['create']),
    namedGrantCounts: true,
  },
  {
    id: 'csr-approval',
    label: 'approve certificates',
    consequence: 'approve certificate requests, and so obtain client certificates for other identities',
    patterns: [
      ...patterns('certificates.k8s.io', ['certificatesigningrequests'], 'approval', ['update', 'patch']),
      ...patterns('certificates.k8s.io', ['signers'], '', ['approve']),
    ],
    namedGrantCounts: true,
  },
  {
    id: 'webhook-config-write',
    label: 'rewrite admission webhooks',
    consequence: 'change or remove admission webhooks and policies, switching off or intercepting admission control',
    patterns: patterns(
      'admissionregistration.k8s.io',
      [
        'mutatingwebhookconfigurations',
        'validatingwebhookconfigurations',
        'validatingadmissionpolicies',
        'validatingadmissionpolicybindings',
        'mutatingadmissionpolicies',
        'mutatingadmissionpolicybindings',
      ],
      '',
      MUTATE,
    ),
    namedGrantCounts: true,
  },
  {
    id: 'namespace-write',
    label: 'relabel namespaces',
    consequence: "relabel namespaces, which loosens their Pod Security level and the NetworkPolicies selecting them by label",
    patterns: patterns('', ['namespaces'], '', ['update', 'patch']),
    namedGrantCounts: true,
  },
  {
    id: 'persistentvolume-create',
    label: 'create PersistentVolumes',
    consequence: 'create PersistentVolumes, including hostPath ones that expose node files to any pod claiming them',
    patterns: patterns('', ['persistentvolumes'], '', ['create']),
    namedGrantCounts: true,
  },
];

export const RISKY_PERMISSION_BY_ID: ReadonlyMap<RiskId, RiskyPermission> = new Map(RISKY_PERMISSIONS.map((risk) => [risk.id, risk]));

/** What one rule grants of one risky permission. */
export interface RiskGrant {
  readonly risk: RiskyPermission;
  /** `create pods/exec`, `get secrets` … one entry per matched verb and resource, in pattern order. */
  readonly grants: readonly string[];
  /** 'all' or the object names the grant is limited to. */
  readonly names: 'all' | readonly string[];
}

/** The requests a risky permission stands for, built once per permission. */
interface Probe {
  readonly request: ResourceRequest;
  readonly label: string;
  /** `create` on a top-level resource: such requests never carry an object name. */
  readonly unnamed: boolean;
}

const probes = new Map<PermissionPattern, Probe[]>();

function probesOf(pattern: PermissionPattern, subresource: string): Probe[] {
  const cacheable = pattern.subresource !== ANY_SUBRESOURCE;
  const cached = cacheable ? probes.get(pattern) : undefined;
  if (cached !== undefined) return cached;
  const target = subresource.length > 0 ? `${pattern.resource}/${subresource}` : pattern.resource;
  const out = pattern.verbs.map((verb) => ({
    request: { verb, apiGroup: pattern.apiGroup, resource: pattern.resource, subresource, namespace: '', name: '' },
    label: `${verb} ${target}`,
    unnamed: verb === 'create' && subresource.length === 0,
  }));
  if (cacheable) probes.set(pattern, out);
  return out;
}

/** Verbs and resource names a risk can match at all, to skip rules that cannot grant it. */
const relevance = new Map<RiskyPermission, { verbs: ReadonlySet<string>; resources: ReadonlySet<string> }>();

function mayGrant(rule: PolicyRule, risk: RiskyPermission): boolean {
  let relevant = relevance.get(risk);
  if (relevant === undefined) {
    relevant = { verbs: new Set(risk.patterns.flatMap((p) => p.verbs)), resources: new Set(risk.patterns.map((p) => p.resource)) };
    relevance.set(risk, relevant);
  }
  const { verbs, resources } = relevant;
  if (!rule.verbs.some((verb) => verb === '*' || verbs.has(verb))) return false;
  return rule.resources.some((resource) => {
    if (resource === '*' || resource.startsWith('*/')) return true;
    const slash = resource.indexOf('/');
    return resources.has(slash === -1 ? resource : resource.slice(0, slash));
  });
}

/**
 * What the rule grants of the risky permission, or undefined. Requests are asked without an object
 * name first (every object); a rule limited by `resourceNames` is then asked for each listed name,
 * except for `create` on a top-level resource, whose requests never carry a name.
 */
export function ruleGrantsRisk(rule: PolicyRule, risk: RiskyPermission): RiskGrant | undefined {
  if (rule.verbs.length === 0 || rule.resources.length === 0 || !mayGrant(rule, risk)) return undefined;
  const grants: string[] = [];
  const names = new Set<string>();
  let all = false;
  for (const pattern of risk.patterns) {
    for (const subresource of subresourcesFor(rule, pattern)) {
      for (const probe of probesOf(pattern, subresource)) {
        if (ruleAllows(rule, probe.request)) {
          all = true;
          grants.push(probe.label);
          continue;
        }
        if (rule.resourceNames.length === 0 || probe.unnamed) continue;
        let matched = false;
        for (const name of rule.resourceNames) {
          if (ruleAllows(rule, { ...probe.request, name })) {
            names.add(name);
            matched = true;
          }
        }
        if (matched) grants.push(probe.label);
      }
    }
  }
  if (grants.length === 0) return undefined;
  if (all) return { risk, grants: unique(grants), names: 'all' };
  if (!risk.namedGrantCounts) return undefined;
  return { risk, grants: unique(grants), names: [...names].sort() };
}

/** Subresources to ask about: the pattern's own, or for "any", those the rule itself names. */
function subresourcesFor(rule: PolicyRule, pattern: PermissionPattern): readonly string[] {
  if (pattern.subresource !== ANY_SUBRESOURCE) return [pattern.subresource];
  const out = new Set<string>();
  for (const resource of rule.resources) {
    if (resource === '*') out.add('*');
    else if (resource.startsWith(`${pattern.resource}/`) || resource.startsWith('*/')) out.add(resource.slice(resource.indexOf('/') + 1));
  }
  return [...out];
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

// Rules repeat: the same few rules in a role per namespace, a chart's roles in every release. Asking
// every risky permission of a rule costs ~25 µs, so answers are kept by the rule's content (on the
// 10,000-object benchmark, 880 rules with 4 distinct contents: 24 ms -> under 1 ms).
const MAX_REMEMBERED_RULES = 4096;
const grantsByContent = new Map<string, readonly RiskGrant[]>();

/** Every risky permission a rule grants, in catalog order. The answer is shared: never modified. */
export function riskyGrants(rule: PolicyRule): readonly RiskGrant[] {
  const key = JSON.stringify([rule.verbs, rule.apiGroups, rule.resources, rule.resourceNames, rule.nonResourceURLs]);
  const known = grantsByContent.get(key);
  if (known !== undefined) return known;
  const out: RiskGrant[] = [];
  for (const risk of RISKY_PERMISSIONS) {
    const grant = ruleGrantsRisk(rule, risk);
    if (grant !== undefined) out.push(Object.freeze(grant));
  }
  if (grantsByContent.size >= MAX_REMEMBERED_RULES) grantsByContent.clear();
  grantsByContent.set(key, Object.freeze(out));
  return out;
}

/** `create, get pods/exec, pods/attach; patch pods/ephemeralcontainers (only "a")`: resources grouped by verbs. */
export function describeGrant(grant: RiskGrant): string {
  const byResource = new Map<string, string[]>();
  for (const entry of grant.grants) {
    const space = entry.indexOf(' ');
    const verb = entry.slice(0, space);
    const resource = entry.slice(space + 1);
    let verbs = byResource.get(resource);
    if (verbs === undefined) byResource.set(resource, (verbs = []));
    if (!verbs.includes(verb)) verbs.push(verb);
  }
  const byVerbs = new Map<string, string[]>();
  for (const [resource, verbs] of byResource) {
    const key = verbs.join(', ');
    let resources = byVerbs.get(key);
    if (resources === undefined) byVerbs.set(key, (resources = []));
    resources.push(resource);
  }
  const text = [...byVerbs].map(([verbs, resources]) => `${verbs} ${resources.join(', ')}`).join('; ');
  return grant.names === 'all' ? text : `${text} (only ${grant.names.map((name) => JSON.stringify(name)).join(', ')})`;
}
