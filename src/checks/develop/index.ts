import type { SetCheck } from '../check.ts';

/** Cross-object checks that read as a threat model: what is exposed, what it runs as, what it may do. */
export const developSetChecks: readonly SetCheck[] = [];
