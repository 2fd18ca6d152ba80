import type { Control, FieldPath, KubeObject, PssLevel } from '../core/index.ts';
import type { PodView } from '../podspec/index.ts';
import type { PssVersion } from '../pss/version.ts';

/** What the user chose for this run; checks read it, never the environment. */
export interface ScanSettings {
  pss: { level: PssLevel; version: PssVersion };
}

/** What a check sees: one object, with its pod templates normalised once for every check. */
export interface CheckContext {
  object: KubeObject;
  pods: readonly PodView[];
  settings: ScanSettings;
}

/** One thing wrong, at a field path relative to the object's root. */
export interface Violation {
  path: FieldPath;
  /** Names the actual value: `container "app" sets securityContext.privileged=true`. */
  message: string;
}

/**
 * Examples beside every check: each `fail` document must produce at least one violation of this
 * check, each `pass` document none. YAML text, one Kubernetes object per entry.
 */
export interface CheckFixtures {
  pass: readonly string[];
  fail: readonly string[];
}

/** A control plus one pure function (no I/O, no clock, no randomness). */
export interface Check extends Control {
  evaluate(context: CheckContext): Iterable<Violation>;
  fixtures: CheckFixtures;
}
