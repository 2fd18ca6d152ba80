import type { Check } from '../check.ts';

/** The compute area's per-object checks, in the order they run and are listed. */
export const computeChecks: readonly Check[] = [];
