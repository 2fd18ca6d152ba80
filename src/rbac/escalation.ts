// Escalation paths: how an identity reaches cluster-admin power through RBAC alone — by becoming
// ServiceAccounts it may run pods as, mint tokens for or impersonate, or any bound user or group it
// may approve a client certificate for, until one of them holds full access, may grant itself
// anything (escalate/bind), or may impersonate anyone. Relabelling a namespace to Pod Security
// `privileged` and running a pod there reaches a node, a goal of its own. A breadth-first search over
// identities, bounded in depth and size; the first path found to each goal is the shortest.
import type { GrantedRule, RbacIndex } from './effective.ts';
import { canMatch, describeScope } from './effective.ts';
import type { Namespace, ResourceRequest, UserInfo } from './model.ts';
import { riskyGrants, RISKY_PERMISSION_BY_ID, type RiskGrant } from './risks.ts';
import { isFullAccessRule, ruleAllows } from './rule-matches.ts';
import { AUTHENTICATED, MASTERS, serviceAccountNamespace, serviceAccountUser } from './subjects.ts';

export interface EscalationStep<S = unknown> {
  /** `ServiceAccount shop/ci`, or the starting user's name. */
  readonly from: string;
  /** `create pods in namespace shop, running as ServiceAccount shop/deployer`. */
  readonly action: string;
  /** The rule that allows the step, with the binding that grants it. */
  readonly grant: GrantedRule<S>;
  /** Further grants the step needs (approving a CSR takes the approval and the signer). */
  readonly alsoNeeds?: readonly GrantedRule<S>[];
}

export interface EscalationPath<S = unknown> {
  readonly steps: readonly EscalationStep<S>[];
  /** What the last identity can do: `full access cluster-wide`, `escalate or bind roles`, `impersonate anyone`. */
  readonly goal: string;
}

export interface EscalationOptions {
  /** The ServiceAccounts that exist in a namespace (pods and tokens can only use those). */
  serviceAccounts(namespace: Namespace): readonly string[];
  /** Longest path searched (identities changed); default 3. */
  maxDepth?: number;
  /** Most identities visited; default 500. */
  maxIdentities?: number;
}

interface Node<S> {
  /** Identity key for the visited set: the username, or `group:` + group for a group certificate. */
  readonly key: string;
  readonly user: UserInfo;
  readonly label: string;
  readonly steps: readonly EscalationStep<S>[];
}

/** The goal an identity's grants reach, if any (checked on cluster-wide grants only). */
function goalOf<S>(grants: readonly GrantedRule<S>[]): { goal: string; grant: GrantedRule<S> } | undefined {
  for (const granted of grants) {
    if (granted.holder.scope.kind !== 'cluster') continue;
    if (isFullAccessRule(granted.rule)) return { goal: 'full access cluster-wide', grant: granted };
    for (const risk of riskyGrants(granted.rule)) {
      if (risk.names !== 'all') continue;
      if (risk.risk.id === 'escalate-bind') return { goal: 'escalate or bind roles cluster-wide: grant itself anything', grant: granted };
      if (risk.risk.id === 'impersonate' && risk.grants.some((g) => g.endsWith(' users') || g.endsWith(' groups'))) {
        return { goal: 'impersonate any user or group cluster-wide', grant: granted };
      }
    }
  }
  return undefined;
}

/** The ServiceAccounts a grant lets one act as: by running pods, minting tokens or impersonating. */
function pivots<S>(granted: GrantedRule<S>, risk: RiskGrant, options: EscalationOptions, knownNamespaces: readonly Namespace[]): { namespace: Namespace; name: string; how: string }[] {
  const scope = granted.holder.scope;
  const namespaces = scope.kind === 'cluster' ? knownNamespaces : [scope.namespace];
  const out: { namespace: Namespace; name: string; how: string }[] = [];
  const named = (name: string) => risk.names === 'all' || risk.names.includes(name);
  for (const namespace of namespaces) {
    for (const name of options.serviceAccounts(namespace)) {
      switch (risk.risk.id) {
        case 'create-workloads':
          out.push({ namespace, name, how: `run a pod as it (${risk.grants.join(', ')} ${describeScope(scope)})` });
          break;
        case 'serviceaccount-token':
          if (named(name)) out.push({ namespace, name, how: `mint a token for it (create serviceaccounts/token ${describeScope(scope)})` });
          break;
        case 'impersonate':
          if (risk.grants.some((g) => g.endsWith(' serviceaccounts')) && named(name)) out.push({ namespace, name, how: `impersonate it (${describeScope(scope)})` });
          break;
        default:
          break;
      }
    }
  }
  return out;
}


/** The signer whose client certificates the API server accepts, and the wildcard form approvers may hold. */
export const API_SERVER_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';
const SIGNER_NAMES = [API_SERVER_CLIENT_SIGNER, 'kubernetes.io/*'];
const CERTIFICATES_GROUP = 'certificates.k8s.io';

function request(verb: string, apiGroup: string, resource: string, subresource: string, namespace: string, name: string): ResourceRequest {
  return { verb, apiGroup, resource, subresource, namespace, name };
}

/**
 * A grant allowing one of the requests. A rule limited by `resourceNames` counts when `anyName` holds:
 * the caller picks the object's name (its own CSR, for instance).
 */
function grantFor<S>(index: RbacIndex<S>, user: UserInfo, requests: readonly ResourceRequest[], anyName = false): GrantedRule<S> | undefined {
  for (const wanted of requests) {
    const decision = index.authorize(user, wanted);
    if (decision.allowed) return decision.grants[0];
    if (!anyName) continue;
    const named = index
      .rulesFor(user, wanted.namespace)
      .find((g) => g.rule.resourceNames.length > 0 && g.rule.resourceNames.some((name) => ruleAllows(g.rule, { ...wanted, name })));
    if (named !== undefined) return named;
  }
  return undefined;
}

/**
 * Approving a CSR for the API server's client signer: update (or patch) on
 * `certificatesigningrequests/approval` and `approve` on `signers` for that signer name or `kubernetes.io/*`
 * (the two checks the API server makes). Creating the request is not required here: an approver can
 * approve one anybody files, and the signer issues whatever subject it names.
 */
function csrApproval<S>(index: RbacIndex<S>, user: UserInfo): { approval: GrantedRule<S>; signer: GrantedRule<S> } | undefined {
  const approval = grantFor(
    index,
    user,
    ['update', 'patch'].map((verb) => request(verb, CERTIFICATES_GROUP, 'certificatesigningrequests', 'approval', '', '')),
    true,
  );
  if (approval === undefined) return undefined;
  const signer = grantFor(index, user, SIGNER_NAMES.map((name) => request('approve', CERTIFICATES_GROUP, 'signers', '', '', name)));
  return signer === undefined ? undefined : { approval, signer };
}

interface Target {
  readonly key: string;
  readonly user: UserInfo;
  readonly label: string;
}

/**
 * Identities a client certificate can stand for that matter: every subject some binding names. The
 * signer refuses `system:masters`, so that group is never a target (nor is it an RBAC subject anyway).
 */
function certificateTargets<S>(index: RbacIndex<S>): Target[] {
  const out = new Map<string, Target>();
  for (const binding of index.bindings) {
    const clusterScoped = binding.kind === 'ClusterRoleBinding';
    for (const subject of binding.subjects) {
      if (!canMatch(subject, clusterScoped)) continue;
      if (subject.kind === 'User') {
        out.set(subject.name, { key: subject.name, user: { name: subject.name, groups: [AUTHENTICATED] }, label: `User ${subject.name}` });
      } else if (subject.kind === 'Group') {
        if (subject.name === MASTERS) continue;
        const key = `group:${subject.name}`;
        out.set(key, { key, user: { name: `(certificate for group ${subject.name})`, groups: [subject.name, AUTHENTICATED] }, label: `Group ${subject.name}` });
      } else if (subject.kind === 'ServiceAccount') {
        const namespace = serviceAccountNamespace(subject, binding.namespace, clusterScoped);
        if (namespace === undefined || namespace === null || namespace === '') continue;
        const user = serviceAccountUser(namespace, subject.name);
        out.set(user.name, { key: user.name, user, label: `ServiceAccount ${namespace}/${subject.name}` });
      }
    }
  }
  return [...out.values()];
}

const CREATE_WORKLOADS = RISKY_PERMISSION_BY_ID.get('create-workloads')!;

/**
 * Reaching a node through Pod Security: patch or update on the namespace object (a RoleBinding in the
 * namespace suffices, as the API server files a request for namespace N under namespace N) relabels
 * `pod-security.kubernetes.io/enforce` to `privileged`; creating a workload there then runs a
 * privileged pod, which is root on its node.
 */
function podSecurityRelabel<S>(index: RbacIndex<S>, user: UserInfo, namespace: string): { relabel: GrantedRule<S>; workload: GrantedRule<S>; workloadLabel: string } | undefined {
  const relabel = grantFor(index, user, ['patch', 'update'].map((verb) => request(verb, '', 'namespaces', '', namespace, namespace)));
  if (relabel === undefined) return undefined;
  for (const pattern of CREATE_WORKLOADS.patterns) {
    const workload = grantFor(index, user, [request('create', pattern.apiGroup, pattern.resource, '', namespace, '')]);
    if (workload !== undefined) return { relabel, workload, workloadLabel: `create ${pattern.resource}` };
  }
  return undefined;
}

export const NODE_ACCESS_GOAL = 'node access through a privileged pod';

/**
 * Shortest escalation paths from `start` to cluster-admin power, one per goal-reaching identity.
 * An identity that already reaches a goal yields a path with one step (the grant itself).
 */
export function escalationPaths<S>(index: RbacIndex<S>, start: UserInfo, options: EscalationOptions, namespaces: readonly Namespace[]): EscalationPath<S>[] {
  const maxDepth = options.maxDepth ?? 3;
  const maxIdentities = options.maxIdentities ?? 500;
  const seen = new Set<string>([start.name]);
  const paths: EscalationPath<S>[] = [];
  let targets: Target[] | undefined;
  let frontier: Node<S>[] = [{ key: start.name, user: start, label: start.name, steps: [] }];
  const visit = (next: Node<S>[], from: Node<S>, target: Target, step: Omit<EscalationStep<S>, 'from'>) => {
    if (seen.has(target.key) || seen.size >= maxIdentities) return;
    seen.add(target.key);
    next.push({ key: target.key, user: target.user, label: target.label, steps: [...from.steps, { from: from.label, ...step }] });
  };
  for (let depth = 0; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: Node<S>[] = [];
    for (const node of frontier) {
      const grants = index.grantsFor(node.user);
      const goal = goalOf(grants);
      if (goal !== undefined) {
        paths.push({ steps: [...node.steps, { from: node.label, action: goal.goal, grant: goal.grant }], goal: goal.goal });
        continue;
      }
      // Risks computed once per identity; the namespace and CSR probes run only where a grant may allow them.
      const risks = grants.map((granted) => ({ granted, risks: riskyGrants(granted.rule) }));
      const relabelIn = new Set<Namespace>();
      let mayApprove = false;
      for (const { granted, risks: list } of risks) {
        for (const risk of list) {
          if (risk.risk.id === 'csr-approval') mayApprove = true;
          if (risk.risk.id !== 'namespace-write') continue;
          const scope = granted.holder.scope;
          if (scope.kind === 'cluster') for (const namespace of namespaces) relabelIn.add(namespace);
          else relabelIn.add(scope.namespace);
        }
      }
      // Node access is a goal short of cluster-admin: record it and keep searching from this identity.
      for (const namespace of relabelIn) {
        if (namespace === null) continue;
        const relabel = podSecurityRelabel(index, node.user, namespace);
        if (relabel === undefined) continue;
        paths.push({
          goal: NODE_ACCESS_GOAL,
          steps: [
            ...node.steps,
            { from: node.label, action: `relabel namespace ${namespace} pod-security.kubernetes.io/enforce=privileged (patch namespaces ${describeScope(relabel.relabel.holder.scope)})`, grant: relabel.relabel },
            { from: node.label, action: `run a privileged pod in namespace ${namespace} (${relabel.workloadLabel} ${describeScope(relabel.workload.holder.scope)}) → root on its node`, grant: relabel.workload },
          ],
        });
        break;
      }
      if (depth === maxDepth) continue;
      for (const { granted, risks: list } of risks) {
        for (const risk of list) {
          for (const pivot of pivots(granted, risk, options, namespaces)) {
            const user = serviceAccountUser(pivot.namespace, pivot.name);
            const label = `ServiceAccount ${pivot.namespace ?? '(unset)'}/${pivot.name}`;
            visit(next, node, { key: user.name, user, label }, { action: `${pivot.how} → ${label}`, grant: granted });
          }
        }
      }
      const csr = mayApprove ? csrApproval(index, node.user) : undefined;
      if (csr !== undefined) {
        targets ??= certificateTargets(index);
        for (const target of targets) {
          visit(next, node, target, {
            action: `approve a CSR for signer ${API_SERVER_CLIENT_SIGNER} naming it (any subject but system:masters) → ${target.label}`,
            grant: csr.approval,
            alsoNeeds: [csr.signer],
          });
        }
      }
    }
    frontier = next;
  }
  return paths;
}
