// Pod Security Standards on one raw object, for callers that hold no loaded KubeObject (the
// admission webhook): the same rules the scan runs, without the catalog machinery.
import type { Violation } from '../checks/check.ts';
import type { PssLevel } from '../core/index.ts';
import { podViews } from '../podspec/index.ts';
import { pssChecksFor } from './catalog.ts';
import type { PssVersion } from './version.ts';

/** Violations by Bulwark check id (`pss-privileged`), in catalog order; only failing checks appear. */
export type PssEvaluation = ReadonlyMap<string, readonly Violation[]>;

/**
 * Evaluates every pod template of `raw` (a Pod or any workload kind) at `level` and `version`.
 * An empty result means the object would be admitted; kinds without pods always are.
 */
export function evaluatePod(raw: Readonly<Record<string, unknown>>, level: PssLevel, version: PssVersion): PssEvaluation {
  const result = new Map<string, Violation[]>();
  const pods = podViews(raw);
  if (pods.length === 0) return result;
  for (const check of pssChecksFor(level)) {
    const rule = check.ruleFor(level, version);
    if (rule === undefined) continue;
    const violations: Violation[] = [];
    for (const pod of pods) rule(pod, violations);
    if (violations.length > 0) result.set(check.id, violations);
  }
  return result;
}
