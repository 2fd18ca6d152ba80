import type { SetCheck } from '../check.ts';
import { danglingBindingCheck, exposedWorkloadCheck, policySelectsNothingCheck, serviceSelectsNothingCheck } from './checks.ts';

/** Cross-object checks that read as a threat model: what is exposed, what it runs as, what it may do. */
export const developSetChecks: readonly SetCheck[] = [exposedWorkloadCheck, serviceSelectsNothingCheck, policySelectsNothingCheck, danglingBindingCheck];
