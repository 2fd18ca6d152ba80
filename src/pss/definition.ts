// The shape of one Pod Security Standards check as upstream defines it: a level, and revisions that
// each take effect from a Kubernetes minor release. The catalog turns these into Bulwark checks.
import type { CheckFixtures, Violation } from '../checks/check.ts';
import type { Control, Frameworks, PssLevel } from '../core/index.ts';
import type { PodView } from '../podspec/index.ts';

/** Appends this check's violations for one pod template to `out` (no allocation when there are none). */
export type PodRule = (pod: PodView, out: Violation[]) => void;

export interface PssRevision {
  /** The Kubernetes minor release (1.x) from which this revision applies, until the next one. */
  readonly since: number;
  readonly rule: PodRule;
  /**
   * Upstream ids of baseline checks this restricted revision overrides at the restricted level,
   * because it enforces a stricter form of the same control: the verdict is this revision's alone,
   * and a field both reject is reported by the baseline check (see policy.ts).
   */
  readonly overrides?: readonly string[];
}

export interface PssCheckDefinition extends Omit<Control, 'area' | 'frameworks'> {
  /** The upstream admission library's check id, e.g. `capabilities_baseline`. */
  readonly upstreamId: string;
  readonly level: PssLevel;
  /** Oldest first; a check with no revision at or below a version is not part of that version. */
  readonly revisions: readonly PssRevision[];
  /** Every framework except `pss`, which the catalog sets from `level`. */
  readonly frameworks: Omit<Frameworks, 'pss'>;
  readonly fixtures: CheckFixtures;
}
