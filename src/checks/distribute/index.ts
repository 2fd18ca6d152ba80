import type { Check } from '../check.ts';

/** The distribute area's per-object checks, in the order they run and are listed. */
export const distributeChecks: readonly Check[] = [];
