// Escalation paths: how an identity reaches cluster-admin power through RBAC alone — by becoming
// ServiceAccounts it may run pods as, mint tokens for or impersonate, until one of them holds full
// access, may grant itself anything (escalate/bind), or may impersonate anyone. A breadth-first search
// over identities, bounded in depth and size; the first path found to each goal is the shortest.
import type { GrantedRule, RbacIndex } from './effective.ts';
import { describeScope } from './effective.ts';
import type { Namespace, UserInfo } from './model.ts';
import { riskyGrants, type RiskGrant } from './risks.ts';
import { isFullAccessRule } from './rule-matches.ts';
import { serviceAccountUser } from './subjects.ts';

export interface EscalationStep<S = unknown> {
  /** `ServiceAccount shop/ci`, or the starting user's name. */
  readonly from: string;
  /** `create pods in namespace shop, running as ServiceAccount shop/deployer`. */
  readonly action: string;
  /** The rule that allows the step, with the binding that grants it. */
  readonly grant: GrantedRule<S>;
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

/**
 * Shortest escalation paths from `start` to cluster-admin power, one per goal-reaching identity.
 * An identity that already reaches a goal yields a path with one step (the grant itself).
 */
export function escalationPaths<S>(index: RbacIndex<S>, start: UserInfo, options: EscalationOptions, namespaces: readonly Namespace[]): EscalationPath<S>[] {
  const maxDepth = options.maxDepth ?? 3;
  const maxIdentities = options.maxIdentities ?? 500;
  const seen = new Set<string>([start.name]);
  const paths: EscalationPath<S>[] = [];
  let frontier: Node<S>[] = [{ user: start, label: start.name, steps: [] }];
  for (let depth = 0; depth <= maxDepth && frontier.length > 0; depth++) {
    const next: Node<S>[] = [];
    for (const node of frontier) {
      const grants = index.grantsFor(node.user);
      const goal = goalOf(grants);
      if (goal !== undefined) {
        paths.push({ steps: [...node.steps, { from: node.label, action: goal.goal, grant: goal.grant }], goal: goal.goal });
        continue;
      }
      if (depth === maxDepth) continue;
      for (const granted of grants) {
        for (const risk of riskyGrants(granted.rule)) {
          for (const pivot of pivots(granted, risk, options, namespaces)) {
            const user = serviceAccountUser(pivot.namespace, pivot.name);
            if (seen.has(user.name) || seen.size >= maxIdentities) continue;
            seen.add(user.name);
            const label = `ServiceAccount ${pivot.namespace ?? '(unset)'}/${pivot.name}`;
            next.push({ user, label, steps: [...node.steps, { from: node.label, action: `${pivot.how} → ${label}`, grant: granted }] });
          }
        }
      }
    }
    frontier = next;
  }
  return paths;
}
