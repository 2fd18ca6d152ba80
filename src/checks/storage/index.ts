import type { Check } from '../check.ts';

/** The storage area's per-object checks, in the order they run and are listed. */
export const storageChecks: readonly Check[] = [];
