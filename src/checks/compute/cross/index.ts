import type { SetCheck } from '../../check.ts';
import { disruptionBudgetCheck } from './disruption-budget.ts';
import { namespaceLimitRangeCheck, namespaceResourceQuotaCheck } from './namespace-policies.ts';

/** Compute checks that relate objects: namespaces and their quotas, workloads and their disruption budgets. */
export const computeSetChecks: readonly SetCheck[] = [namespaceResourceQuotaCheck, namespaceLimitRangeCheck, disruptionBudgetCheck];
