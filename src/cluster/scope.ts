// Which findings a cluster scan reports. Every object read is evaluated (RBAC, node and CSR checks
// relate objects across namespaces); the scope only decides what is printed, and says what it left out.
//
// - Without `-n`: everything but the excluded namespaces (kube-system, kube-public, kube-node-lease by
//   default), objects run by a controller that was read (reported through it) and the API server's own
//   RBAC defaults. Control-plane findings on the component pods of kube-system (kubeadm's static
//   pods) are kept whatever the exclusion: they are the cluster's configuration, not a workload.
// - With `-n NS`: objects in NS, the Namespace NS, and the cluster-scoped objects that decide what
//   happens in NS: every ClusterRoleBinding (it grants in every namespace, NS included) and the
//   ClusterRoles a ClusterRoleBinding or a RoleBinding of NS binds. Other cluster-scoped objects
//   (Nodes, CSRs, webhooks, StorageClasses, unbound ClusterRoles) and the control plane are left out,
//   counted by kind in a note.
import type { Diagnostic, Finding, KubeObject } from '../core/index.ts';
import { BulwarkError } from '../core/index.ts';
import { compileNameGlob, NAMESPACE_GLOB } from '../config/glob.ts';
import { isBootstrapPolicy } from '../rbac/builtin.ts';

export const DEFAULT_EXCLUDED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease'];

/** Why a namespace pattern is refused, or undefined when it is a valid name or glob. */
export function namespacePatternProblem(pattern: string): string | undefined {
  if (NAMESPACE_GLOB.test(pattern)) return undefined;
  return `"${pattern}" is not a namespace name or glob (lowercase letters, digits and "-", at most 63 characters; "*" and "?" as wildcards)`;
}

/** `--exclude-namespaces a,b,c` as a list; `""` is the empty list (exclude nothing). */
export function parseNamespaceList(value: string, flag: string): string[] {
  const names = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of names) {
    const problem = namespacePatternProblem(name);
    if (problem !== undefined) throw new BulwarkError('E_USAGE', `${flag}: ${problem}`);
  }
  return names;
}

export interface ScopeOptions {
  namespace?: string | undefined;
  /** Namespace names or globs whose objects get no findings (without `namespace`). */
  excludeNamespaces: readonly string[];
  /** Also report on the RBAC defaults the API server creates (`kubernetes.io/bootstrapping: rbac-defaults`). */
  includeDefaults: boolean;
  /** Keys (objectKey) of the control-plane component pods. */
  controlPlanePods: ReadonlySet<string>;
  /** Controls whose findings on those pods are kept in excluded namespaces. */
  controlPlaneControls: ReadonlySet<string>;
}

export interface Scope {
  /** Whether the finding is reported. */
  keeps(finding: Finding): boolean;
  /** Objects none of whose findings are reported (for the summary). */
  outOfScope: number;
  /** What `-n` left out, as a note; empty without `-n` or when nothing was left out. */
  notes(dropped: readonly Finding[], file: string): Diagnostic[];
}

export function objectKey(kind: string, namespace: string | null, name: string): string {
  return `${kind}\u0000${namespace ?? ''}\u0000${name}`;
}

type Fields = Readonly<Record<string, unknown>>;
const fields = (value: unknown): Fields | undefined => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Fields) : undefined);

/** Whether a controller that was also read runs the object (its findings are the controller's). */
function ownedByListed(object: KubeObject, present: ReadonlySet<string>): boolean {
  const owners = fields(object.raw['metadata'])?.['ownerReferences'];
  if (!Array.isArray(owners)) return false;
  return owners.some((o) => {
    const ref = fields(o);
    return ref?.['controller'] === true && typeof ref['kind'] === 'string' && typeof ref['name'] === 'string' && present.has(objectKey(ref['kind'], object.namespace, ref['name']));
  });
}


/** ClusterRoles whose rules apply in `namespace`: bound by any ClusterRoleBinding, or by a RoleBinding there. */
function clusterRolesBoundIn(objects: readonly KubeObject[], namespace: string): Set<string> {
  const names = new Set<string>();
  for (const object of objects) {
    const inScope = object.kind === 'ClusterRoleBinding' || (object.kind === 'RoleBinding' && object.namespace === namespace);
    if (!inScope || !object.apiVersion.startsWith('rbac.authorization.k8s.io/')) continue;
    const ref = fields(object.raw['roleRef']);
    if (ref?.['kind'] === 'ClusterRole' && typeof ref['name'] === 'string') names.add(ref['name']);
  }
  return names;
}

/** `scoped`: out because of `-n` alone (what the note counts); `out`: excluded, run by a controller, or a default. */
type Verdict = 'in' | 'out' | 'scoped' | 'control-plane';

export function createScope(objects: readonly KubeObject[], options: ScopeOptions): Scope {
  const present = new Set(objects.map((o) => objectKey(o.kind, o.namespace, o.name)));
  const excluded = options.excludeNamespaces.map(compileNameGlob);
  const isExcluded = (namespace: string) => excluded.some((matches) => matches(namespace));
  const namespace = options.namespace;
  const boundRoles = namespace === undefined ? undefined : clusterRolesBoundIn(objects, namespace);

  const verdicts = new Map<string, Verdict>();
  let outOfScope = 0;
  for (const object of objects) {
    const key = objectKey(object.kind, object.namespace, object.name);
    let verdict: Verdict;
    if (ownedByListed(object, present) || (!options.includeDefaults && isBootstrapPolicy(object))) verdict = 'out';
    else if (namespace !== undefined) {
      if (object.namespace !== null) verdict = object.namespace === namespace ? 'in' : 'scoped';
      else if (object.kind === 'Namespace') verdict = object.name === namespace ? 'in' : 'scoped';
      else if (object.kind === 'ClusterRoleBinding') verdict = 'in';
      else if (object.kind === 'ClusterRole') verdict = boundRoles!.has(object.name) ? 'in' : 'scoped';
      else verdict = 'scoped';
    } else {
      // A Namespace object belongs to the namespace it is.
      const owner = object.kind === 'Namespace' && object.apiVersion === 'v1' ? object.name : object.namespace;
      if (owner === null || !isExcluded(owner)) verdict = 'in';
      else verdict = options.controlPlanePods.has(key) ? 'control-plane' : 'out';
    }
    verdicts.set(key, verdict);
    if (verdict !== 'in') outOfScope++;
  }

  return {
    outOfScope,
    keeps(finding) {
      const { kind, namespace: ns, name } = finding.object;
      const verdict = verdicts.get(objectKey(kind, ns, name));
      // Not read from the API (an EncryptionConfiguration read from a volume or a file): cluster-wide.
      if (verdict === undefined) return namespace === undefined;
      if (verdict === 'control-plane') return options.controlPlaneControls.has(finding.control);
      return verdict === 'in';
    },
    notes(dropped, file) {
      if (namespace === undefined) return [];
      const byKind = new Map<string, number>();
      let elsewhere = 0;
      for (const finding of dropped) {
        if (verdicts.get(objectKey(finding.object.kind, finding.object.namespace, finding.object.name)) !== 'scoped') continue;
        if (finding.object.namespace !== null && finding.object.namespace !== '') {
          if (finding.object.namespace !== namespace) elsewhere++;
          continue;
        }
        byKind.set(finding.object.kind, (byKind.get(finding.object.kind) ?? 0) + 1);
      }
      const total = [...byKind.values()].reduce((a, b) => a + b, 0);
      if (total === 0 && elsewhere === 0) return [];
      const kinds = [...byKind].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([kind, n]) => `${n} ${kind}`).join(', ');
      const parts: string[] = [];
      if (total > 0) parts.push(`${total} finding${total === 1 ? '' : 's'} on cluster-scoped objects that do not concern namespace ${namespace} (${kinds})`);
      if (elsewhere > 0) parts.push(`${elsewhere} on objects of other namespaces (read cluster-wide for the RBAC analysis)`);
      return [
        {
          level: 'note',
          code: 'E_INPUT',
          message: `-n ${namespace}: left out ${parts.join(' and ')}; ClusterRoleBindings and the ClusterRoles bound in ${namespace} are kept. Scan without -n to see the rest.`,
          location: { file },
        },
      ];
    },
  };
}
