import type { Check, SetCheck } from '../check.ts';

/** The network area's per-object checks, in the order they run and are listed. */
export const networkChecks: readonly Check[] = [];

/** The network area's cross-object checks. */
export const networkSetChecks: readonly SetCheck[] = [];
