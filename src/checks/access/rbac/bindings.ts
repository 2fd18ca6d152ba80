// Checks on what a binding hands out as a whole: full access, or anything at all to everyone.
import type { KubeObject } from '../../../core/index.ts';
import type { Binding } from '../../../rbac/model.ts';
import { canMatch, type RoleResolution } from '../../../rbac/effective.ts';
import { describeGrant, riskyGrants } from '../../../rbac/risks.ts';
import { isFullAccessRule } from '../../../rbac/rule-matches.ts';
import { describeSubject, isPublicSubject, ALL_SERVICE_ACCOUNTS } from '../../../rbac/subjects.ts';
import type { SetCheck } from '../../check.ts';
import { RBAC_KINDS, rbacContext } from './context.ts';
import { clusterRole, clusterRoleBinding, role, roleBinding, rule, SA_SUBJECT, USER_SUBJECT } from './fixtures.ts';

const RBAC_NSA = ['Authentication and authorization: role-based access control'];

function subjectText(binding: Binding<KubeObject>, index: number): string {
  return describeSubject(binding.subjects[index]!, binding.namespace, binding.kind === 'ClusterRoleBinding');
}

function roleText(binding: Binding<KubeObject>): string {
  return `${binding.roleRef.kind} ${binding.roleRef.name}`;
}

function scopeText(binding: Binding<KubeObject>): string {
  return binding.kind === 'ClusterRoleBinding' ? 'in every namespace' : `in namespace ${binding.namespace ?? '(unset: the namespace it is applied to)'}`;
}

export const clusterAdminBindingCheck: SetCheck = {
  id: 'rbac-cluster-admin-binding',
  title: 'Binding grants full access (cluster-admin or equivalent)',
  area: 'access',
  severity: 'high',
  frameworks: { cis: ['5.1.1'], nsa: RBAC_NSA, mitre: ['T1078'], kubescape: ['C-0035', 'C-0185'] },
  description:
    'A binding to `cluster-admin`, or to any role with a rule allowing every verb on every resource of every API group, gives its subjects everything: every Secret, every workload, RBAC itself. Through a RoleBinding that is everything in the namespace, its RoleBindings included. High rather than critical: administrators need it — few of them, named.',
  remediation:
    'Bind narrower roles; keep full access for a small break-glass group. Workloads (ServiceAccounts) should never hold it.',
  kinds: RBAC_KINDS,
  *evaluateSet(set) {
    const { index, bindings } = rbacContext(set);
    for (const binding of bindings) {
      const resolution = index.resolve(binding);
      if (resolution.status !== 'found' || !resolution.rules.some((resolved) => isFullAccessRule(resolved.rule))) continue;
      for (let i = 0; i < binding.subjects.length; i++) {
        // A subject no identity can match (a namespaceless ServiceAccount of a ClusterRoleBinding, an unknown kind) holds nothing.
        if (!canMatch(binding.subjects[i]!, binding.kind === 'ClusterRoleBinding')) continue;
        yield {
          object: binding.source!,
          path: ['subjects', i],
          message: `${subjectText(binding, i)} gets full access ${scopeText(binding)} from ${roleText(binding)}`,
        };
      }
    }
  },
  fixtures: {
    fail: [
      clusterRoleBinding('ci-admin', 'cluster-admin', SA_SUBJECT),
      `${role('shop', 'all', rule('["*"]', '["*"]', '["*"]'))}---\n${roleBinding('shop', 'all', 'Role', 'all', USER_SUBJECT)}`,
    ],
    pass: [clusterRoleBinding('viewers', 'view', SA_SUBJECT), `${role('shop', 'pods', rule('[""]', '["*"]', '[get]'))}---\n${roleBinding('shop', 'pods', 'Role', 'pods', USER_SUBJECT)}`],
  },
};

/** Non-resource GETs every cluster grants anonymously by default (health and version). */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/version/']);
/** What every authenticated identity gets by default: discovery and self-reviews. */
const DEFAULT_FOR_AUTHENTICATED = new Set(['system:basic-user', 'system:discovery', 'system:public-info-viewer']);

/** Whether the role grants only what the defaults already give everyone (health/version GETs). */
function onlyPublicInfo(resolution: RoleResolution<KubeObject>): boolean {
  if (resolution.status !== 'found') return false;
  return resolution.rules.every(
    ({ rule }) =>
      rule.resources.length === 0 &&
      rule.verbs.every((verb) => verb === 'get') &&
      rule.nonResourceURLs.every((url) => PUBLIC_PATHS.has(url)),
  );
}

function grantSummary(resolution: RoleResolution<KubeObject>): string {
  switch (resolution.status) {
    case 'found': {
      if (resolution.rules.some((resolved) => isFullAccessRule(resolved.rule))) return 'full access';
      const risky = resolution.rules.flatMap((resolved) => riskyGrants(resolved.rule)).map(describeGrant);
      if (risky.length > 0) return `among others ${[...new Set(risky)].slice(0, 4).join('; ')}`;
      return `${resolution.rules.length} rule${resolution.rules.length === 1 ? '' : 's'}`;
    }
    case 'builtin-unmodelled':
      return 'a default role';
    case 'missing':
      return 'a role that is not in the scanned set (whoever creates it decides)';
    case 'invalid':
      return `nothing (${resolution.reason})`;
  }
}

export const anonymousBindingCheck: SetCheck = {
  id: 'rbac-anonymous-binding',
  title: 'Binding grants permissions to anonymous users',
  area: 'access',
  severity: 'critical',
  frameworks: { nsa: RBAC_NSA, mitre: ['T1078.001'], kubescape: ['C-0262'] },
  description:
    'A subject `system:anonymous` or `system:unauthenticated` is anyone who can reach the API server, without credentials. Only the default health and version endpoints are meant for them. Critical: no credential stands between the network and what the role grants.',
  remediation: 'Remove the subject; give the permission to an authenticated identity instead, and set `--anonymous-auth=false` on the API server where health probes allow it.',
  kinds: RBAC_KINDS,
  *evaluateSet(set) {
    const { index, bindings } = rbacContext(set);
    for (const binding of bindings) {
      const resolution = index.resolve(binding);
      if (onlyPublicInfo(resolution)) continue;
      for (let i = 0; i < binding.subjects.length; i++) {
        if (isPublicSubject(binding.subjects[i]!) !== 'anonymous') continue;
        yield {
          object: binding.source!,
          path: ['subjects', i],
          message: `${subjectText(binding, i)} (anyone who reaches the API server) gets ${grantSummary(resolution)} ${scopeText(binding)} from ${roleText(binding)}`,
        };
      }
    }
  },
  fixtures: {
    fail: [
      clusterRoleBinding('anon', 'view', '- {kind: Group, name: "system:unauthenticated", apiGroup: rbac.authorization.k8s.io}'),
      `${clusterRole('metrics', '- nonResourceURLs: [/metrics]\n  verbs: [get]')}---\n${clusterRoleBinding('metrics', 'metrics', '- {kind: User, name: "system:anonymous"}')}`,
    ],
    pass: [
      clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', '- {kind: Group, name: "system:unauthenticated"}'),
      clusterRoleBinding('viewers', 'view', USER_SUBJECT),
    ],
  },
};

export const authenticatedBindingCheck: SetCheck = {
  id: 'rbac-authenticated-binding',
  title: 'Binding grants permissions to every authenticated identity',
  area: 'access',
  severity: 'high',
  frameworks: { nsa: RBAC_NSA, mitre: ['T1078'], kubescape: ['C-0265'] },
  description:
    'The groups `system:authenticated` and `system:serviceaccounts` contain every user and every ServiceAccount of the cluster — every pod\'s token included. A permission given to them is given to whatever compromises any workload. High: one vulnerable pod anywhere inherits it.',
  remediation: 'Bind the role to the groups or ServiceAccounts that need it instead.',
  kinds: RBAC_KINDS,
  *evaluateSet(set) {
    const { index, bindings } = rbacContext(set);
    for (const binding of bindings) {
      const resolution = index.resolve(binding);
      if (onlyPublicInfo(resolution)) continue;
      // What every cluster already grants them (discovery, self-reviews) is not news.
      if (resolution.status === 'found' && resolution.role.builtin && DEFAULT_FOR_AUTHENTICATED.has(resolution.role.name)) continue;
      for (let i = 0; i < binding.subjects.length; i++) {
        const subject = binding.subjects[i]!;
        const everyone = isPublicSubject(subject) === 'authenticated' || (subject.kind === 'Group' && subject.name === ALL_SERVICE_ACCOUNTS);
        if (!everyone) continue;
        yield {
          object: binding.source!,
          path: ['subjects', i],
          message: `${subjectText(binding, i)} (every ${subject.name === ALL_SERVICE_ACCOUNTS ? 'ServiceAccount' : 'user and ServiceAccount'} of the cluster) gets ${grantSummary(resolution)} ${scopeText(binding)} from ${roleText(binding)}`,
        };
      }
    }
  },
  fixtures: {
    fail: [
      `${clusterRole('system:viewer', rule('[""]', '[nodes, "nodes/*", pods]', '[get, list, watch]'))}---\n${clusterRoleBinding('system:viewer', 'system:viewer', '- {kind: Group, name: "system:authenticated", apiGroup: rbac.authorization.k8s.io}')}`,
      roleBinding('shop', 'all-sa', 'ClusterRole', 'edit', '- {kind: Group, name: "system:serviceaccounts"}'),
    ],
    pass: [
      clusterRoleBinding('basic', 'system:basic-user', '- {kind: Group, name: "system:authenticated"}'),
      roleBinding('shop', 'shop-sa', 'ClusterRole', 'view', '- {kind: Group, name: "system:serviceaccounts:shop"}'),
    ],
  },
};
