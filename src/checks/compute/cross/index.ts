import type { SetCheck } from '../../check.ts';
import { disruptionBudgetCheck } from './disruption-budget.ts';
import { namespaceLimitRangeCheck, namespaceResourceQuotaCheck } from './namespace-policies.ts';
import { serviceAccountTokenAutomountDefaultCheck } from './service-account-automount.ts';
import { serviceAccountTokenBoundCheck } from './service-account-token-bound.ts';

/** Compute checks that relate objects: namespaces and their quotas, workloads and their disruption budgets and ServiceAccounts. */
export const computeSetChecks: readonly SetCheck[] = [namespaceResourceQuotaCheck, namespaceLimitRangeCheck, disruptionBudgetCheck, serviceAccountTokenAutomountDefaultCheck, serviceAccountTokenBoundCheck];
