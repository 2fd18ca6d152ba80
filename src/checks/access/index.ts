import type { Check, SetCheck } from '../check.ts';

/** The access area's per-object checks, in the order they run and are listed. */
export const accessChecks: readonly Check[] = [];

/** The access area's cross-object checks. */
export const accessSetChecks: readonly SetCheck[] = [];
