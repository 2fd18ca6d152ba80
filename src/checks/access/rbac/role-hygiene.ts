// Checks on how roles are written, whoever holds them: wildcards, and risky roles nobody is bound to.
import type { FieldPath, KubeObject } from '../../../core/index.ts';
import type { Role } from '../../../rbac/model.ts';
import { isFullAccessRule } from '../../../rbac/rule-matches.ts';
import type { SetCheck } from '../../check.ts';
import { describeHolders, describeRole, RBAC_KINDS, rbacContext } from './context.ts';
import { boundClusterRole, clusterRole, role, rule } from './fixtures.ts';

const RBAC_NSA = ['Authentication and authorization: role-based access control'];
const WILDCARD_FIELDS = ['verbs', 'resources', 'apiGroups', 'nonResourceURLs'] as const;

export const wildcardCheck: SetCheck = {
  id: 'rbac-wildcard',
  title: 'Role rule uses a wildcard',
  area: 'access',
  severity: 'medium',
  frameworks: { cis: ['5.1.3'], nsa: RBAC_NSA, kubescape: ['C-0187'] },
  description:
    '`*` in verbs, resources, API groups or non-resource URLs grants everything that exists now and everything added later — new CRDs, new subresources like `pods/ephemeralcontainers`, new verbs like `escalate`. Medium: the rule may be harmless today; it cannot be reviewed for tomorrow.',
  remediation: 'List the verbs, resources and API groups the holder needs.',
  kinds: RBAC_KINDS,
  *evaluateSet(set) {
    const context = rbacContext(set);
    for (const role of context.roles) {
      for (let index = 0; index < role.rules.length; index++) {
        const written = role.rules[index]!;
        const fields = WILDCARD_FIELDS.filter((field) => written[field].includes('*'));
        if (fields.length === 0) continue;
        const first = fields[0]!;
        const path: FieldPath = ['rules', index, first, written[first].indexOf('*')];
        const holders = context.index.holdersOfRule(role, index);
        const held = holders.length === 0 ? 'bound to nothing in the scanned set' : `held by ${describeHolders(holders, role)}`;
        const everything = isFullAccessRule(written) ? ' (every verb on every resource: full access)' : '';
        yield {
          object: role.source!,
          path,
          message: `${describeRole(role)} rules[${index}] uses "*" in ${fields.join(', ')}${everything}; ${held}`,
        };
      }
    }
  },
  fixtures: {
    fail: [boundClusterRole(rule('[""]', '["*"]', '[get]')), role('shop', 'ops', rule('["*"]', '[deployments]', '["*"]'))],
    pass: [boundClusterRole(rule('[apps]', '[deployments]', '[get, list]'))],
  },
};

/** Default roles whose rules a custom ClusterRole joins through the well-known aggregation labels. */
function aggregationTargets(role: Role<KubeObject>, context: ReturnType<typeof rbacContext>): string[] {
  return context.index.aggregatedInto(role).map((target) => `${target.builtin ? 'default ' : ''}ClusterRole ${target.name}`);
}

export const unboundRiskyRoleCheck: SetCheck = {
  id: 'rbac-unbound-risky-role',
  title: 'Role with risky permissions is bound to nothing in the scanned set',
  area: 'access',
  severity: 'low',
  frameworks: { nsa: RBAC_NSA },
  description:
    'A role granting risky permissions (Secrets, exec, workload creation, escalate/bind, impersonation, …) that no binding in the scanned set references grants nothing yet; a binding elsewhere — another chart, a later change, a RoleBinding created at run time — activates it. Low: it is a loaded role, not an open door; the same rule, once bound, is reported at its own severity with its holders.',
  remediation: 'Delete roles that nothing uses; otherwise scan them together with their bindings so the holders are known.',
  kinds: RBAC_KINDS,
  *evaluateSet(set) {
    const context = rbacContext(set);
    for (const role of context.roles) {
      if (context.index.holdersOfRole(role).length > 0) continue;
      const risks = new Set<string>();
      let first = -1;
      for (let index = 0; index < role.rules.length; index++) {
        const written = role.rules[index]!;
        const grants = context.grantsOf(role, index);
        if (isFullAccessRule(written)) risks.add('full access');
        for (const grant of grants) risks.add(grant.risk.id);
        if (first === -1 && (grants.length > 0 || isFullAccessRule(written))) first = index;
      }
      if (first === -1) continue;
      const targets = aggregationTargets(role, context);
      const aggregated = targets.length > 0 ? `; its rules are aggregated into ${targets.join(', ')}, so whoever is bound to that holds them` : '';
      yield {
        object: role.source!,
        path: ['rules', first],
        message: `${describeRole(role)} grants ${[...risks].join(', ')} but no binding in the scanned set references it${aggregated}`,
      };
    }
  },
  fixtures: {
    fail: [
      clusterRole('secret-reader', rule('[""]', '[secrets]', '[get]')),
      clusterRole('crd-exec', rule('[""]', '[pods/exec]', '[create]'), '{rbac.authorization.k8s.io/aggregate-to-edit: "true"}'),
    ],
    pass: [boundClusterRole(rule('[""]', '[secrets]', '[get]')), clusterRole('reader', rule('[""]', '[configmaps]', '[get]'))],
  },
};
