import type { Control, FieldPath, KubeObject, PssLevel } from '../core/index.ts';
import type { PodView } from '../podspec/index.ts';
import type { PssVersion } from '../pss/version.ts';

/** What the user chose for this run; checks read it, never the environment. */
export interface ScanSettings {
  pss: { level: PssLevel; version: PssVersion };
  /** Settings of configurable checks (`.bulwark.yaml` `checks:`); absent: DEFAULT_CHECK_OPTIONS. */
  options?: CheckOptions;
}

/**
 * Bounds on one resource of a container, as Kubernetes quantities (`500m`, `1Gi`), validated when the
 * configuration is read. A bound left out is not checked.
 */
export interface ResourceBounds {
  requestMin?: string;
  requestMax?: string;
  limitMin?: string;
  limitMax?: string;
}

/** What configurable checks read. Plain data, so that it crosses to scan workers unchanged. */
export interface CheckOptions {
  images: {
    /** Registries (`host[:port]`, `*.domain`, or `host/path` prefixes) images may come from; empty: any. */
    allowedRegistries: readonly string[];
    /** The organisation's own registries; when any is named, images from well-known public ones are reported. */
    privateRegistries: readonly string[];
    /** Tags that move like `latest` does (`latest` is always one). */
    floatingTags: readonly string[];
  };
  resources: { cpu: ResourceBounds; memory: ResourceBounds };
  /** Ids of opt-in checks (`optIn`) to evaluate (`controls.enable`). */
  enabled: readonly string[];
}

export const DEFAULT_CHECK_OPTIONS: CheckOptions = Object.freeze({
  images: Object.freeze({ allowedRegistries: [], privateRegistries: [], floatingTags: ['latest'] }),
  resources: Object.freeze({ cpu: Object.freeze({}), memory: Object.freeze({}) }),
  enabled: [],
});

/** What a check sees: one object, with its pod templates normalised once for every check. */
export interface CheckContext {
  object: KubeObject;
  pods: readonly PodView[];
  settings: ScanSettings;
  /**
   * Reports what the check could not decide for this object (a search that reached its bound): the
   * engine turns it into a warning at the field, so a bound never passes an object silently. Absent
   * where nobody collects such notes.
   */
  inconclusive?: (path: FieldPath, message: string) => void;
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
  /**
   * The settings the fixtures are evaluated under (default: restricted, latest, DEFAULT_CHECK_OPTIONS),
   * for checks that do nothing unconfigured or that apply at one Pod Security level only.
   */
  settings?: ScanSettings;
}

/** A control plus one pure function (no I/O, no clock, no randomness). */
export interface Check extends Control {
  evaluate(context: CheckContext): Iterable<Violation>;
  fixtures: CheckFixtures;
  /**
   * An advisory too frequent to report by default (probes, digests): it reports only when the run
   * names it in `options.enabled` (`controls.enable` in `.bulwark.yaml`); the check itself tests this.
   */
  optIn?: boolean;
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
