import type { SetCheck } from '../../check.ts';

/** Compute checks that relate objects: namespaces and their quotas, workloads and their disruption budgets. */
export const computeSetChecks: readonly SetCheck[] = [];
