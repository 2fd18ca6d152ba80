// `cluster permissions --as`: what one identity may do in the live cluster, resolved from its RBAC
// objects by src/rbac, as stable JSON and as a table per scope.
import type { KubeObject } from '../core/index.ts';
import type { GrantedRule, RbacIndex } from '../rbac/effective.ts';
import type { UserInfo } from '../rbac/model.ts';
import { effectivePermissions } from '../rbac/permissions.ts';
import { describeSubject } from '../rbac/subjects.ts';
import type { ClusterClient } from './client.ts';

export interface PermissionEntry {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
  /** `RoleBinding shop/dev`. */
  binding: string;
  /** The role the binding names: `ClusterRole admin`. */
  role: string;
  /** The role the rule is written in, when aggregation brought it into `role`. */
  aggregatedFrom?: string;
  /** The binding's subject that matched: `Group developers`. */
  subject: string;
}

export interface PermissionsResult {
  context: string;
  user: UserInfo;
  clusterWide: PermissionEntry[];
  namespaces: { namespace: string; rules: PermissionEntry[] }[];
}

const roleName = (role: { kind: string; namespace: string | null; name: string }) => `${role.kind} ${role.namespace === null ? '' : `${role.namespace}/`}${role.name}`;

function entry(granted: GrantedRule<KubeObject>): PermissionEntry {
  const { binding, subject, via } = granted.holder;
  const { rule, origin } = granted;
  return {
    verbs: [...rule.verbs],
    apiGroups: [...rule.apiGroups],
    resources: [...rule.resources],
    resourceNames: [...rule.resourceNames],
    nonResourceURLs: [...rule.nonResourceURLs],
    binding: `${binding.kind} ${binding.namespace === null ? '' : `${binding.namespace}/`}${binding.name}`,
    role: roleName(via),
    ...(origin !== via ? { aggregatedFrom: roleName(origin) } : {}),
    subject: describeSubject(subject, binding.namespace, binding.kind === 'ClusterRoleBinding'),
  };
}

/** The identity's permissions; with `namespace`, only that namespace's RoleBinding grants (cluster-wide ones always). */
export function permissionsOf(index: RbacIndex<KubeObject>, context: string, user: UserInfo, namespace?: string): PermissionsResult {
  const permissions = effectivePermissions(index, user);
  return {
    context,
    user,
    clusterWide: permissions.clusterWide.map(entry),
    namespaces: permissions.namespaces
      .filter((n) => n.namespace !== null && (namespace === undefined || n.namespace === namespace))
      .map((n) => ({ namespace: n.namespace!, rules: n.rules.map(entry) })),
  };
}

export async function runPermissions(client: ClusterClient, user: UserInfo, namespace?: string): Promise<PermissionsResult> {
  const { discoverResources } = await import('./discover.ts');
  const { loadRbacIndex } = await import('./access.ts');
  const { resources } = await discoverResources(client, `cluster://${client.context}`);
  return permissionsOf(await loadRbacIndex(client, resources), client.context, user, namespace);
}

const list = (items: readonly string[]) => (items.length === 0 ? '-' : items.join(','));

function resourceColumn(e: PermissionEntry): string {
  if (e.nonResourceURLs.length > 0 && e.resources.length === 0) return e.nonResourceURLs.join(',');
  return e.resources.map((r) => (e.apiGroups.length === 1 && e.apiGroups[0] === '' ? r : `${r}.${e.apiGroups.map((g) => (g === '' ? 'core' : g)).join('|')}`)).join(',');
}

/** One table per scope: VERBS, RESOURCES (RESOURCE.GROUP or URL), NAMES, VIA. */
export function formatPermissions(result: PermissionsResult): string {
  const sections: [string, PermissionEntry[]][] = [['cluster-wide (every namespace and cluster-scoped resources)', result.clusterWide], ...result.namespaces.map((n) => [`namespace ${n.namespace}`, n.rules] as [string, PermissionEntry[]])];
  const lines = [`${result.user.name} (groups: ${result.user.groups.join(', ')}) in ${result.context}`];
  if (sections.every(([, rules]) => rules.length === 0)) return `${lines[0]}\nno permissions through RBAC\n`;
  for (const [title, rules] of sections) {
    if (rules.length === 0) continue;
    const rows = [['VERBS', 'RESOURCES', 'NAMES', 'VIA'], ...rules.map((e) => [list(e.verbs), resourceColumn(e), list(e.resourceNames), `${e.binding} → ${e.role}${e.aggregatedFrom === undefined ? '' : ` (from ${e.aggregatedFrom})`} as ${e.subject}`])];
    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((row) => row[c]!.length)));
    lines.push('', `${title}:`);
    for (const row of rows) lines.push(`  ${row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ')}`.trimEnd());
  }
  return `${lines.join('\n')}\n`;
}
