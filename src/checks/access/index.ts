import type { Check, SetCheck } from '../check.ts';
import { controlPlaneChecks } from './control-plane/index.ts';
import { anonymousBindingCheck, authenticatedBindingCheck, clusterAdminBindingCheck } from './rbac/bindings.ts';
import { riskyPermissionChecks } from './rbac/risky-permissions.ts';
import { unboundRiskyRoleCheck, wildcardCheck } from './rbac/role-hygiene.ts';
import { workloadIdentityCheck } from './rbac/workload-identity.ts';

/** The access area's per-object checks, in the order they run and are listed. */
export const accessChecks: readonly Check[] = [...controlPlaneChecks];

/** The access area's cross-object checks: RBAC as the authorizer would apply it to the scanned set. */
export const accessSetChecks: readonly SetCheck[] = [
  clusterAdminBindingCheck,
  anonymousBindingCheck,
  authenticatedBindingCheck,
  ...riskyPermissionChecks,
  wildcardCheck,
  unboundRiskyRoleCheck,
  workloadIdentityCheck,
];
