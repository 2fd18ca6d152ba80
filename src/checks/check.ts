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

/**
 * Every object of a run that set checks asked for, indexed once. Cross-object checks (a Service and
 * the pods it selects, a binding and its role, a namespace and its policies) read it; it is built
 * after loading, so a set check sees objects from every file of the scan.
 */
export interface ObjectSet {
  readonly objects: readonly KubeObject[];
  /** Objects of one kind (`Deployment`), in scan order. */
  ofKind(kind: string): readonly KubeObject[];
  /** One object by kind, namespace (null for cluster-scoped) and name. */
  find(kind: string, namespace: string | null, name: string): KubeObject | undefined;
  /** The object's pod templates, normalised once and shared by every set check. */
  pods(object: KubeObject): readonly PodView[];
}

/** A violation found by relating objects: it names the object it is reported on. */
export interface SetViolation extends Violation {
  object: KubeObject;
}

/**
 * A cross-object control: data plus one pure function of the whole object set. Its fixtures are
 * multi-document YAML texts, each one object set; `fail` sets must yield a violation, `pass` sets none.
 */
export interface SetCheck extends Control {
  /** The kinds it reads; a scan keeps only objects of the kinds some selected set check needs. */
  kinds: readonly string[];
  evaluateSet(set: ObjectSet, settings: ScanSettings): Iterable<SetViolation>;
  fixtures: CheckFixtures;
}
